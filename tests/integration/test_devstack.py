"""The stack manager starts a part, finds it again by pid, and stops it leaving nothing behind."""

from pathlib import Path

import pytest

from devstack import process
from devstack.parts import Prism, Redis
from devstack.stack import Stack, StartFailed
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration


def test_up_then_down_leaves_no_process_and_no_listening_port(private_state: Path) -> None:
    parts = [
        Redis(name="redis-t", port=free_port(), state=private_state),
        Prism(name="prism-t", port=free_port(), state=private_state, spec="kitchen.yaml"),
    ]
    stack = Stack(parts, quiet=True)
    assert stack.up() == parts
    pids = [process.read_pid(part.pid_file) for part in parts]
    assert all(pid and process.is_alive(pid) for pid in pids)
    assert all(part.ready() for part in parts)

    assert Stack(parts, quiet=True).up() == []  # a second `up` starts nothing

    Stack(parts, quiet=True).down()  # a fresh manager finds them by their pid files
    assert not any(process.is_alive(pid) for pid in pids if pid)
    assert not any(process.group_members(pid) for pid in pids if pid)
    assert not any(part.ready() for part in parts)
    assert not any(part.pid_file.exists() for part in parts)


def test_a_part_that_cannot_start_is_named_with_its_log(private_state: Path) -> None:
    broken = Prism(name="prism-broken", port=free_port(), state=private_state, spec="missing.yaml")
    with pytest.raises(StartFailed, match="prism-broken") as failure:
        Stack([broken], quiet=True).up()
    assert "last lines of" in str(failure.value)
    assert (
        not broken.pid_file.exists()
        or process.read_pid(broken.pid_file) is None
        or not (process.is_alive(process.read_pid(broken.pid_file) or 0))
    )
