"""What ``exohunt predict`` costs before it scores: a tree model is loaded and scored without
importing torch, and the workers' fork server loads the run once for every worker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exohunt import scoring_pool
from exohunt.bundled import bundled_run_dir

SRC = Path(__file__).resolve().parents[1] / "src"


def _python(code: str, tmp_path: Path) -> dict:
    """Run ``code`` (which prints one JSON line last) as a script in a fresh interpreter."""
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(code))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC),
                                                         os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_scoring_a_file_with_the_bundled_trees_never_imports_torch(tmp_path):
    from _scale_fixtures import write_fits_files

    fits = write_fits_files(tmp_path, 1)[0]
    result = _python(f"""
        import json, sys
        from exohunt.cli import main

        code = main(["predict", {str(fits)!r}, "--out", {str(tmp_path / "p.csv")!r},
                     "--jobs", "1", "--quiet"])
        print(json.dumps({{"code": code, "torch": "torch" in sys.modules,
                           "sklearn": "sklearn" in sys.modules}}))
    """, tmp_path)
    assert result == {"code": 0, "torch": False, "sklearn": True}


def test_skops_imported_without_torch_trusts_the_same_types(tmp_path):
    pytest.importorskip("torch")
    probe = """
        import hashlib, json, sys
        {how}
        from skops.io._trusted_types import SKLEARN_ESTIMATOR_TYPE_NAMES as names

        torch_then = "torch" in sys.modules
        import torch  # still importable afterwards

        print(json.dumps({{"names": hashlib.sha256("\\n".join(names).encode()).hexdigest(),
                           "count": len(names), "torch_then": torch_then,
                           "torch_after": hasattr(torch, "tensor")}}))
    """
    plain = _python(probe.format(how="import skops.io"), tmp_path)
    without = _python(probe.format(how="from exohunt._imports import import_without_torch\n"
                                       "        import_without_torch('skops.io')"), tmp_path)
    assert plain["torch_then"] and not without["torch_then"]  # what the helper is for
    assert without["count"] == plain["count"] > 100 and without["names"] == plain["names"]
    assert without["torch_after"]


def test_run_fingerprint_changes_when_a_file_of_the_run_changes(tmp_path):
    run = shutil.copytree(bundled_run_dir(), tmp_path / "run")
    before = scoring_pool.run_fingerprint(run)
    assert scoring_pool.run_fingerprint(str(run)) == before  # a path as text or Path
    member = next(run.glob("member-*/model.skops"))
    stat = member.stat()
    os.utime(member, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # rewritten
    assert scoring_pool.run_fingerprint(run) != before


@pytest.mark.slow
def test_workers_inherit_the_run_the_fork_server_preloaded(tmp_path):
    if sys.platform != "linux":
        pytest.skip("the fork server is a POSIX start method")
    run = shutil.copytree(bundled_run_dir(), tmp_path / "run")
    other = shutil.copytree(bundled_run_dir(), tmp_path / "other")
    result = _python(f"""
        import json, sys
        from concurrent.futures import ProcessPoolExecutor
        from exohunt import scoring_pool

        def state():
            import sys
            from exohunt import scoring_pool
            return (scoring_pool._RUN is not None, scoring_pool._RUN_KEY is not None,
                    "torch" in sys.modules)

        def worker_state(run_dir):
            with ProcessPoolExecutor(1, mp_context=scoring_pool._context(),
                                     initializer=scoring_pool._init_worker,
                                     initargs=(run_dir,)) as pool:
                return pool.submit(state).result()

        if __name__ == "__main__":
            scoring_pool.start_server_early(2, {str(run)!r})
            assert scoring_pool.PRELOAD_RUN_ENV not in __import__("os").environ
            print(json.dumps({{"preloaded": worker_state({str(run)!r}),
                               "another": worker_state({str(other)!r})}}))
    """, tmp_path)
    # the server's run, inherited (its key kept), and no torch for trees in the workers either
    assert result["preloaded"] == [True, True, False]
    # another run directory: the worker loads its own
    assert result["another"] == [True, False, False]


def test_a_few_small_fits_files_are_scored_without_a_pool(tmp_path, monkeypatch):
    from _scale_fixtures import write_fits_files
    from exohunt import predict as predict_module
    from exohunt.training import load_model

    files = [str(p) for p in write_fits_files(tmp_path / "fits", 3)]
    assert predict_module.fits_one_task(files)
    assert predict_module.fits_one_task(files[0])
    assert not predict_module.fits_one_task(files * 6)  # more than a few files
    assert not predict_module.fits_one_task(files, {"format": "table"})
    assert not predict_module.fits_one_task([str(tmp_path / "fits")])  # a folder
    assert not predict_module.fits_one_task([*files, str(tmp_path / "rows.csv")])
    monkeypatch.setattr(scoring_pool, "PARALLEL_CHUNK_CADENCES", 1000)  # 600 cadences each
    assert predict_module.fits_one_task(files[:1]) and not predict_module.fits_one_task(files)
    monkeypatch.undo()

    jobs_used = []
    real = predict_module.ChunkScorer
    monkeypatch.setattr(predict_module, "ChunkScorer",
                        lambda run, jobs, **kw: jobs_used.append(jobs) or real(run, jobs, **kw))
    run = load_model(bundled_run_dir())
    summary = predict_module.predict(run, files, out=tmp_path / "p.csv", jobs=2,
                                     progress=False)
    assert summary.n_stars == 3 and jobs_used == [1]


def test_training_trees_never_imports_torch(tmp_path):
    # a gbm run is trained, saved and scored without torch; the run still records torch's
    # version (from the installed package's metadata)
    result = _python(f"""
        import json, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
        from _scale_fixtures import tiny_run
        from exohunt.training import load_run

        run = load_run(tiny_run(__import__("pathlib").Path({str(tmp_path / "run")!r})))
        print(json.dumps({{"torch": "torch" in sys.modules,
                           "version": run.config["versions"]["torch"],
                           "device": run.config["training"]["device"]}}))
    """, tmp_path)
    from importlib.metadata import version

    assert result == {"torch": False, "version": version("torch"), "device": "cpu"}
