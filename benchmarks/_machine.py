"""The one-line machine description every benchmark prints beside its numbers."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine_description(*libraries: str) -> str:
    """CPU model, visible cores, memory, Python and the versions of ``libraries``."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for name in libraries:
        module = __import__(name)
        versions.append(f"{name} {module.__version__}")
    return ", ".join([f"{cpu}", f"{os.cpu_count()} cores visible", f"{memory_gb:.0f} GiB RAM",
                      f"Python {platform.python_version()}", *versions])
