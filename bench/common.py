"""What every benchmark shares: where results go, progress lines, time stamps."""

import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from devstack.parts import STATE

OUT_DIR = STATE / "bench"


def say(text: str) -> None:
    """Progress on stderr."""
    print(text, file=sys.stderr, flush=True)


def stamp() -> str:
    """The UTC time now as in result file names: 20261201T142213."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}"


def machine() -> str:
    """'2 cores, Intel(R) Xeon(R) Processor': what the numbers were measured on."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        info = ""
    found = re.search(r"^model name\s*:\s*(.+)$", info, re.MULTILINE)
    return f"{os.cpu_count() or 1} cores" + (f", {found.group(1).strip()}" if found else "")
