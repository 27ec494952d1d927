"""CPU seconds of every process of the stack (from /proc), of this one and of its children."""

import os
import resource
from pathlib import Path

from devstack.parts import STATE

CLK_TCK = os.sysconf("SC_CLK_TCK")
SELF = "cpu.bench (this process)"
CHILDREN = "cpu.driver process, whole (rusage: start-up and results included)"


def pid_roots() -> dict[str, int]:
    """The pid of every part of the stack, from .state/run/*.pid."""
    roots = {}
    for pid_file in sorted((STATE / "run").glob("*.pid")):
        try:
            roots[pid_file.stem] = int(pid_file.read_text().strip())
        except ValueError:
            continue
    return roots


def stack_pids() -> dict[str, int]:
    """The pid of every part, after checking that each one is alive."""
    roots = pid_roots()
    down = [name for name, pid in roots.items() if not Path(f"/proc/{pid}").exists()]
    if not roots or down:
        raise SystemExit(f"error: the stack is not running ({', '.join(down)}); make up")
    return roots


def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks of it and its reaped children) for every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        table[int(entry.name)] = (int(fields[1]), ticks)
    return table


def cpu_by_part() -> dict[str, float]:
    """CPU seconds used so far by each part of the stack, its child processes included."""
    table = proc_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    usage = {}
    for name, root in pid_roots().items():
        todo, ticks = [root], 0
        while todo:
            pid = todo.pop()
            ticks += table.get(pid, (0, 0))[1]
            todo += children.get(pid, [])
        usage[f"cpu.{name}"] = ticks / CLK_TCK
    own = resource.getrusage(resource.RUSAGE_SELF)
    usage[SELF] = own.ru_utime + own.ru_stime
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    usage[CHILDREN] = reaped.ru_utime + reaped.ru_stime
    return usage


def machine_cpu() -> dict[str, float]:
    """Busy CPU seconds of the whole machine (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return {"machine.busy": (sum(values[:8]) - idle) / CLK_TCK}
