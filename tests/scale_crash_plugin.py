"""A worker plugin for tests/test_scale_dask.py: a reader that ends its worker process.

It stands for a reader that segfaults on one file. Workers import this module by name
(``tests/`` is on their path), and a restarted worker gets the plugin again.
"""

from __future__ import annotations

from distributed import WorkerPlugin


def _detect(path, head) -> bool:
    return head.startswith(b"CRASH")


def _crash(path, options):
    import os

    os._exit(11)


class CrashingReader(WorkerPlugin):
    def setup(self, worker) -> None:
        from exohunt.io.registry import register_reader

        register_reader("crash-test", _detect, _crash)
