"""Start, find and stop server processes by pid, in their own process group."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def is_alive(pid: int) -> bool:
    """True when the process exists and is not a zombie (PID 1 here reaps slowly)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def spawn(
    command: list[str], log_file: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen:
    """Start a server detached in its own session (so it survives `make up` and can be killed as
    a group), its output appended to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd or Path(__file__).resolve().parent.parent,
            start_new_session=True,
        )


def group_members(pgid: int) -> list[int]:
    """Living processes of a process group (children a server started, such as erl helpers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def stop(pid: int, timeout_s: float = 20.0, child: subprocess.Popen | None = None) -> bool:
    """SIGTERM the process group, wait, then SIGKILL what is left. True if it stopped cleanly."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    clean = True
    while time.monotonic() < deadline:
        if child is not None:
            child.poll()
        if not is_alive(pid) and not group_members(pid):
            break
        time.sleep(0.05)
    else:
        clean = False
        for member in [pid, *group_members(pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(member, signal.SIGKILL)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    return clean


def crash(pid: int, timeout_s: float = 10.0) -> None:
    """SIGKILL the process group (a server and its helpers, e.g. the Erlang VM behind
    rabbitmq-server): a crash, no goodbye. Returns once every member is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout_s
    while (is_alive(pid) or group_members(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)  # gone within milliseconds; bounded anyway
    if is_alive(pid) or group_members(pid):
        raise RuntimeError(f"process group {pid} survived SIGKILL")
