"""Tiny inputs for the scale tests: a gbm run trained in about a second and short FITS files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from _search_synth import noise_lightcurve, planet_lightcurve
from exohunt.batch import LightCurveBatch
from exohunt.lightcurve import LightCurve

N_POINTS = 600  # 12 days of Kepler long cadence: enough for the search, quick to score


def tiny_run(out: Path) -> Path:
    """A gbm run directory (16 planets, 24 noise stars, 20 boosting rounds)."""
    from exohunt.training import train

    rng = np.random.default_rng(7)
    curves = [planet_lightcurve(rng, period=float(p), snr=float(s), n_points=N_POINTS)[0]
              for p, s in zip(rng.uniform(1.0, 4.0, 16), rng.uniform(10, 30, 16))]
    curves += [noise_lightcurve(rng, n_points=N_POINTS) for _ in range(24)]
    labels = np.array([1] * 16 + [0] * 24, np.int8)
    data = LightCurveBatch(np.stack([lc.flux for lc in curves]), labels, curves[0].time,
                           source="synthetic")
    train(data, model="gbm", imbalance="weights", config={"max_iter": 20}, jobs=1, out=out)
    return out


def write_fits_files(folder: Path, n: int, seed: int = 3,
                     n_points: int = N_POINTS) -> list[Path]:
    """``n`` short Kepler-like FITS files (one in five with a planet), named in order."""
    from exohunt.io.writers import write_fits

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        if i % 5 == 0:
            lc = planet_lightcurve(rng, period=float(rng.uniform(1.0, 4.0)), snr=20.0,
                                   n_points=n_points)[0]
        else:
            lc = noise_lightcurve(rng, n_points=n_points)
        flux = 1.0e4 * np.asarray(lc.flux)
        path = folder / f"star-{i:05d}_llc.fits"
        write_fits(path, LightCurve(lc.time, flux, np.full_like(flux, 10.0),
                                    {"target_id": f"star-{i:05d}"}), overwrite=True)
        paths.append(path)
    return paths


def cached_run(base: Path) -> Path:
    """The tiny run under ``base`` (a pytest session's temporary root), trained once."""
    run_dir = base / "scale-run"
    if not (run_dir / "config.json").exists():
        tiny_run(run_dir)
    return run_dir


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalDaskProcesses:
    """A ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, as subprocesses.

    Workers run with nannies (a killed worker process is restarted) and one thread each; the
    scheduler's ``allowed-failures`` is 0, so a task whose worker dies fails at once
    (``KilledWorker``) and exohunt's file-by-file retry is exercised quickly.
    """

    def __init__(self, log_dir: Path, extra_path: str = "") -> None:
        import os
        import sys

        self.python = sys.executable
        self.log_dir = log_dir
        self.env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0",
                        PYTHONPATH=os.pathsep.join(p for p in (extra_path, *sys.path) if p))
        self.scheduler = None
        self.workers: list = []
        self.address = ""

    def _spawn(self, name: str, *args: str):
        import subprocess

        log = open(self.log_dir / f"{name}.log", "ab")
        return subprocess.Popen([self.python, "-m", *args], stdout=log, stderr=log,
                                env=self.env, start_new_session=True)

    def start(self, n_workers: int = 2) -> LocalDaskProcesses:
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        self.scheduler = self._spawn("scheduler", "distributed.cli.dask_scheduler", "--host",
                                     "127.0.0.1", "--port", str(port), "--no-dashboard")
        for _ in range(n_workers):
            self.add_worker()
        self.wait_for(n_workers)
        return self

    def add_worker(self):
        worker = self._spawn(f"worker{len(self.workers)}", "distributed.cli.dask_worker",
                             self.address, "--nthreads", "1", "--no-dashboard", "--host",
                             "127.0.0.1")
        self.workers.append(worker)
        return worker

    def wait_for(self, n_workers: int, timeout: float = 120.0) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout) as client:
            client.wait_for_workers(n_workers, timeout=timeout)

    def kill_worker(self, index: int = 0) -> None:
        """SIGKILL a worker with its nanny (it is gone for good)."""
        import os
        import signal

        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait()

    def stop(self) -> None:
        import os
        import signal

        for process in [*self.workers, self.scheduler]:
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
