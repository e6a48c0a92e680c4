"""The one-line machine description every benchmark prints beside its numbers, and the
median-CPU timer several of them share."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def median_cpu_seconds(function: Callable[..., Any], repeats: int,
                       setup: Callable[[], Any] | None = None) -> float:
    """Median over ``repeats`` calls of the CPU seconds (``time.process_time``) of
    ``function()``, or of ``function(setup())`` with ``setup`` run outside the timing (state
    that each call consumes, made afresh for every repeat)."""
    times = []
    for _ in range(repeats):
        arguments = () if setup is None else (setup(),)
        start = time.process_time()
        function(*arguments)
        times.append(time.process_time() - start)
    return statistics.median(times)
