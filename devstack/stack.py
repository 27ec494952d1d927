"""Bring a list of parts up (starting only what does not answer yet) and down (by pid)."""

import contextlib
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from devstack import process
from devstack.parts import Part


class StartFailed(RuntimeError):
    """A part did not answer in time; the message names it and quotes its log."""


def tail(part: Part, lines: int = 25) -> str:
    try:
        text = part.log_file.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text[-lines:])


@dataclass
class Stack:
    parts: Sequence[Part]
    quiet: bool = False
    _children: dict[str, subprocess.Popen] = field(default_factory=dict)

    def say(self, text: str) -> None:
        if not self.quiet:
            # Stopping must go on even when nobody reads any more (terminal or pipe closed).
            with contextlib.suppress(OSError):
                print(text, flush=True)

    def our_pid(self, part: Part) -> int | None:
        """The pid of a running process we started for this part, if any."""
        pid = process.read_pid(part.pid_file)
        if pid and process.is_alive(pid) and part.marker in process.cmdline(pid):
            return pid
        return None

    def up(self) -> list[Part]:
        """Start every part that is not answering, wait for each; returns the ones started now.

        When one fails, the ones started by this call are stopped again and StartFailed raised.
        """
        started: list[Part] = []
        try:
            for part in self.parts:
                if self._start(part):
                    started.append(part)
        except StartFailed:
            self.down(started)
            raise
        return started

    def _start(self, part: Part) -> bool:
        if part.ready():
            ours = self.our_pid(part) is not None
            if ours:
                part.refresh()
            owner = "ours" if ours else "not started by us, reused"
            self.say(f"  {part.name:<28} already up ({owner}) at {part.where()}")
            return False
        started = False
        if self.our_pid(part) is None:
            part.prepare()
            child = process.spawn(part.command(), part.log_file, part.env())
            self._children[part.name] = child
            part.pid_file.parent.mkdir(parents=True, exist_ok=True)
            part.pid_file.write_text(str(child.pid))
            started = True
        begun = time.monotonic()
        deadline = begun + part.start_timeout_s
        while time.monotonic() < deadline:
            if part.ready():
                took = time.monotonic() - begun
                self.say(f"  {part.name:<28} up in {took:4.1f} s at {part.where()}")
                return started
            child = self._children.get(part.name)
            exited = child.poll() is not None if child else self.our_pid(part) is None
            if exited:
                raise StartFailed(
                    f"{part.name} exited during start; last lines of {part.log_file}:\n{tail(part)}"
                )
            time.sleep(0.1)
        raise StartFailed(
            f"{part.name} did not answer within {part.start_timeout_s:g} s; "
            f"last lines of {part.log_file}:\n{tail(part)}"
        )

    def down(self, parts: Sequence[Part] | None = None) -> None:
        """Stop the given parts (default: all) that we started, in reverse order, by pid."""
        for part in reversed(list(parts if parts is not None else self.parts)):
            pid = self.our_pid(part)
            if pid is None:
                part.pid_file.unlink(missing_ok=True)
                continue
            clean = process.stop(pid, child=self._children.pop(part.name, None))
            part.pid_file.unlink(missing_ok=True)
            self.say(f"  {part.name:<28} stopped{'' if clean else ' (killed)'}")

    def status(self) -> list[tuple[str, str, str]]:
        rows = []
        for part in self.parts:
            pid = self.our_pid(part)
            state = "up" if part.ready() else "down"
            rows.append((part.name, state, f"pid {pid}" if pid else "-"))
        return rows
