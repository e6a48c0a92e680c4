"""Scale runs on a real Dask cluster: a ``dask scheduler`` and ``dask worker`` subprocesses.

Each test runs ``exohunt predict`` on 200 short simulated FITS files (plus one corrupt file)
and compares the rows with the in-process run of the same files, after killing a worker, the
client or the scheduler part-way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from _scale_fixtures import LocalDaskProcesses, cached_run, free_port, write_fits_files
from exohunt.scale import read_errors, read_results

pytestmark = pytest.mark.slow
N_FILES = 200
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("scale-dask")
    run_dir = cached_run(tmp_path_factory.getbasetemp())
    folder = base / "fits"
    write_fits_files(folder, N_FILES)
    (folder / "star-00100x_llc.fits").write_bytes(b"SIMPLE  =  this is not a FITS file")
    reference = base / "reference.csv"
    from exohunt.predict import predict
    from exohunt.training import load_model

    predict(load_model(run_dir), [str(folder)], out=reference, jobs=1, progress=False)
    return {"base": base, "run": run_dir, "folder": folder,
            "reference": pd.read_csv(reference)}


@pytest.fixture(scope="module")
def cluster(inputs):
    processes = LocalDaskProcesses(inputs["base"], extra_path=str(TESTS)).start(2)
    yield processes
    processes.stop()


def _command(inputs, out: Path, address: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "exohunt.cli", "predict", str(inputs["run"]),
            str(inputs["folder"]), "--out", str(out), "--scheduler", address,
            "--chunk-size", "8", "--quiet", *extra]


def _assert_same_rows(out: Path, reference: pd.DataFrame) -> None:
    """Row for row: the same stars in the same order with the same results. Numbers agree to
    1e-5 relative, not to the bit: a light curve's transit fit can differ in the 7th digit
    with what its process computed before (found while writing these tests: one process,
    the same star scored before and after 104 others), and a redone chunk runs elsewhere."""
    rows = read_results(out)
    assert len(rows) == len(reference) == N_FILES
    assert rows["source"].tolist() == reference["source"].tolist()
    assert rows["source"].is_unique
    assert rows["index"].tolist() == reference["index"].tolist()
    assert rows["is_candidate"].tolist() == reference["is_candidate"].tolist()
    pd.testing.assert_frame_equal(rows, reference, check_dtype=False, rtol=1e-5)
    errors = read_errors(out)
    assert errors["file"].tolist() == [str(Path(reference["source"][0]).parent
                                           / "star-00100x_llc.fits")]
    assert "FITS" in errors["reason"][0] or "read" in errors["reason"][0]


def _wait_for_parts(out: Path, at_least: int, process, timeout: float = 180.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        folder = out / "predictions"
        done = len(list(folder.glob("part-*.parquet"))) if folder.is_dir() else 0
        if done >= at_least:
            return done
        assert process.poll() is None, "the scan ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} parts after {timeout} s")


def _run(command, timeout=300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def _start(command) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def test_cluster_rows_equal_the_in_process_run(inputs, cluster):
    out = inputs["base"] / "equal"
    done = _run(_command(inputs, out, cluster.address, "--csv"))
    assert done.returncode == 0, done.stderr
    _assert_same_rows(out, inputs["reference"])
    csv_rows = pd.read_csv(out / "predictions.csv")
    pd.testing.assert_frame_equal(csv_rows, read_results(out), check_dtype=False, rtol=1e-15)
    assert pd.read_csv(out / "errors.csv").shape == (1, 2)
    assert "complete: 200 rows" in done.stdout


def test_client_killed_mid_run_resumes_to_the_same_table(inputs, cluster):
    out = inputs["base"] / "client-killed"
    process = _start(_command(inputs, out, cluster.address))
    _wait_for_parts(out, 3, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "summary.json").exists()
    rerun = _run(_command(inputs, out, cluster.address))
    assert rerun.returncode == 0, rerun.stderr
    skipped = int(rerun.stdout.split("(")[1].split(" finished earlier")[0])
    assert skipped >= 3
    _assert_same_rows(out, inputs["reference"])


def test_a_worker_killed_mid_run_costs_nothing(inputs, cluster):
    out = inputs["base"] / "worker-killed"
    process = _start(_command(inputs, out, cluster.address))
    _wait_for_parts(out, 4, process)
    cluster.kill_worker(0)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    _assert_same_rows(out, inputs["reference"])
    cluster.add_worker()  # for the tests after this one


def test_a_file_that_kills_its_worker_costs_that_file_only(inputs, cluster, tmp_path):
    """A reader that ends its process (as a segfault would) on one file: the chunk is retried
    file by file, the file lands in errors, every other star is scored."""
    from distributed import Client

    import exohunt
    from exohunt.training import load_model
    from scale_crash_plugin import CrashingReader

    folder = tmp_path / "fits"
    write_fits_files(folder, 12, seed=5)
    (folder / "crash-0005_llc.fits").write_bytes(b"CRASH")
    cluster.wait_for(2)
    with Client(cluster.address) as client:
        client.register_plugin(CrashingReader(), name="crash-reader")
        try:
            # exohunt.predict with a client: the API's way onto a cluster
            summary = exohunt.predict(load_model(inputs["run"]), str(folder),
                                      out=tmp_path / "out", client=client, progress=False)
        finally:
            client.unregister_worker_plugin("crash-reader")
    assert summary.n_retried == 1 and summary.n_stars == 12
    errors = read_errors(tmp_path / "out")
    assert errors["file"].tolist() == [str(folder / "crash-0005_llc.fits")]
    assert "worker process died" in errors["reason"][0]
    assert len(read_results(tmp_path / "out")) == 12
    cluster.wait_for(2)


def test_a_worker_without_the_model_is_reported_once(inputs, cluster, tmp_path):
    from distributed import Client

    from exohunt.scale.dask_engine import DaskExecutor
    from exohunt.scale.tasks import Job, WorkerSetupError

    job = Job("missing", "predict", str(tmp_path), str(tmp_path / "no-run"), "0" * 64)
    with Client(cluster.address) as client, pytest.raises(WorkerSetupError) as caught:
        DaskExecutor(client, job)
    message = str(caught.value)
    assert "\n" not in message and "no-run not found there" in message
    assert message.startswith("worker tcp://127.0.0.1:")


def test_scheduler_killed_mid_run_resumes_on_a_fresh_one(inputs, tmp_path):
    first = LocalDaskProcesses(tmp_path, extra_path=str(TESTS)).start(2)
    out = tmp_path / "scheduler-killed"
    try:
        process = _start(_command(inputs, out, first.address))
        _wait_for_parts(out, 3, process)
        os.killpg(first.scheduler.pid, signal.SIGKILL)
        _, stderr = process.communicate(timeout=120)
    finally:
        first.stop()
    assert process.returncode == 2, stderr
    assert "lost the Dask scheduler" in stderr and "rerun" in stderr
    second = LocalDaskProcesses(tmp_path, extra_path=str(TESTS)).start(2)
    try:
        rerun = _run(_command(inputs, out, second.address))
    finally:
        second.stop()
    assert rerun.returncode == 0, rerun.stderr
    _assert_same_rows(out, inputs["reference"])


def test_unreachable_scheduler_is_one_line_within_seconds(inputs, tmp_path):
    start = time.monotonic()
    done = _run(_command(inputs, tmp_path / "never", f"tcp://127.0.0.1:{free_port()}"))
    elapsed = time.monotonic() - start
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach a Dask scheduler within 8 s" in lines[0]
    assert elapsed < 40  # 8 s of connecting plus the start of python, torch and the run
    assert np.isfinite(elapsed)


def test_a_worker_that_cannot_import_exohunt_is_reported_once(inputs, tmp_path):
    broken = tmp_path / "broken" / "exohunt"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('exohunt is broken on this node')\n")
    cluster = LocalDaskProcesses(tmp_path, extra_path=str(broken.parent)).start(1)
    try:
        done = _run(_command(inputs, tmp_path / "out", cluster.address), timeout=120)
    finally:
        cluster.stop()
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert "a Dask worker cannot set up exohunt" in lines[-1]
    assert "exohunt is broken on this node" in lines[-1]
    assert sum("cannot set up exohunt" in line for line in lines) == 1


def test_scheduler_local_starts_a_local_cluster(inputs, tmp_path):
    listing = tmp_path / "paths.txt"
    files = sorted(inputs["folder"].glob("star-*"))[:4]
    listing.write_text("".join(f"{p}\n" for p in files))
    command = [sys.executable, "-m", "exohunt.cli", "predict", str(inputs["run"]),
               f"@{listing}", "--out", str(tmp_path / "out"), "--scheduler", "local",
               "--jobs", "1", "--quiet"]
    done = _run(command, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = read_results(tmp_path / "out")
    reference = inputs["reference"].set_index("source").loc[[str(p) for p in files]]
    assert rows["probability"].tolist() == pytest.approx(
        reference["probability"].tolist(), rel=1e-5)
