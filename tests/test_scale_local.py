"""Scale runs without Dask: listing, manifest, resume, shards, errors and the CLI."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from _scale_fixtures import cached_run, write_fits_files
from exohunt.cli import main
from exohunt.errors import InputError
from exohunt.scale import merge, predict_scale, read_errors, read_results, search_scale
from exohunt.scale.listing import chunk_hash, iter_chunks, iter_listing


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("scale-local")
    run_dir = cached_run(tmp_path_factory.getbasetemp())
    folder = base / "fits"
    write_fits_files(folder, 24)
    (folder / "broken_llc.fits").write_bytes(b"\x00" * 10)
    full = base / "full"
    summary = predict_scale(run_dir, [str(folder)], full, jobs=1, chunk_size=5,
                            progress=False)
    return {"base": base, "run": run_dir, "folder": folder, "full": full, "summary": summary}


def _same_table(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Same stars, same order, same decisions; numbers to 1e-5 relative (a transit fit can
    differ in its 7th digit with what the process computed before, see test_scale_dask)."""
    assert left["source"].tolist() == right["source"].tolist()
    if "is_candidate" in left:
        assert left["is_candidate"].tolist() == right["is_candidate"].tolist()
    pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-5)


def test_listing_walks_trees_globs_and_list_files_in_order(tmp_path):
    for name in ("b/2.fits", "b/1.fits", "a.fits", ".hidden.fits", "README.md", "c/d/3.npy"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    root = str(tmp_path)
    assert list(iter_listing([root])) == [f"{root}/a.fits", f"{root}/b/1.fits",
                                          f"{root}/b/2.fits", f"{root}/c/d/3.npy"]
    assert list(iter_listing([f"{root}/b/*.fits"])) == [f"{root}/b/1.fits", f"{root}/b/2.fits"]
    assert list(iter_listing([f"{root}/**/*.fits"])) == [f"{root}/a.fits", f"{root}/b/1.fits",
                                                         f"{root}/b/2.fits"]
    listing = tmp_path / "list.txt"
    listing.write_text("# survey\nb/2.fits\n\ns3://bucket/x.fits\n/abs/y.fits\n")
    expected = [f"{root}/b/2.fits", "s3://bucket/x.fits", "/abs/y.fits"]
    assert list(iter_listing([f"@{listing}"])) == expected
    assert list(iter_listing([], input_list=listing)) == expected
    with pytest.raises(InputError, match="no file matches"):
        list(iter_listing([f"{root}/*.nothing"]))
    with pytest.raises(InputError, match="input list not found"):
        list(iter_listing([f"@{tmp_path}/absent.txt"]))


def test_chunks_are_hashed_and_listing_memory_stays_flat(tmp_path):
    chunks = list(iter_chunks(iter([f"/p/{i}" for i in range(7)]), 3))
    assert [(n, len(p)) for n, p, _ in chunks] == [(0, 3), (1, 3), (2, 1)]
    assert chunks[0][2] == chunk_hash(["/p/0", "/p/1", "/p/2"]) != chunks[1][2]

    def peak(n_lines: int) -> int:
        path = tmp_path / f"list-{n_lines}.txt"
        path.write_text("".join(f"/survey/s01/{i:09d}_lc.fits\n" for i in range(n_lines)))
        tracemalloc.start()
        count = sum(len(paths) for _, paths, _ in iter_chunks(iter_listing([f"@{path}"]), 128))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == n_lines
        return top

    small, large = peak(10_000), peak(100_000)
    assert large < 1.5 * small + 100_000  # flat: ten times the paths, not ten times the memory


def test_rows_errors_and_merged_tables(data):
    summary = data["summary"]
    assert (summary.n_chunks, summary.n_stars, summary.n_errors) == (5, 24, 1)
    assert summary.merged == {"kind": "predict", "n_paths": 25, "n_chunks": 5, "n_rows": 24,
                              "n_candidates": summary.n_candidates, "n_errors": 1}
    rows = read_results(data["full"])
    assert rows["source"].tolist() == [str(p) for p in sorted(data["folder"].glob("star-*"))]
    # the summary's candidate count is the table's, not only equal to itself
    assert summary.n_candidates == int(rows["is_candidate"].sum())
    errors = pd.read_csv(data["full"] / "errors.csv")
    assert errors["file"].tolist() == [str(data["folder"] / "broken_llc.fits")]
    manifest = json.loads((data["full"] / "manifest.json").read_text())
    assert manifest["n_paths"] == 25 and len(manifest["chunks"]) == 5
    assert not list(data["full"].rglob(".*"))  # no temporary files left behind


def test_rerun_skips_finished_chunks_and_gives_the_same_table(data, tmp_path):
    out = tmp_path / "resumed"
    first = predict_scale(data["run"], [str(data["folder"])], out, jobs=1, chunk_size=5,
                          progress=False)
    for name in ("part-000001.parquet", "part-000003.parquet"):  # as if killed before these
        (out / "predictions" / name).unlink()
    (out / "summary.json").unlink()
    kept = {p.name: p.read_bytes() for p in (out / "predictions").iterdir()}
    again = predict_scale(data["run"], [str(data["folder"])], out, jobs=1, chunk_size=5,
                          progress=False)
    assert (again.n_skipped, again.n_stars) == (3, 10)
    assert again.merged == first.merged
    assert all((out / "predictions" / name).read_bytes() == data_ for name, data_ in
               kept.items())  # finished chunks are not redone
    _same_table(read_results(out), read_results(data["full"]))
    pd.testing.assert_frame_equal(read_errors(out), read_errors(data["full"]))


def test_other_settings_model_or_listing_are_refused(data, tmp_path):
    folder = str(data["folder"])
    with pytest.raises(InputError, match=r"other settings \(threshold differ\)"):
        predict_scale(data["run"], [folder], data["full"], jobs=1, chunk_size=5,
                      threshold=0.3, progress=False)
    with pytest.raises(InputError, match="chunk_size differ"):
        predict_scale(data["run"], [folder], data["full"], jobs=1, chunk_size=6,
                      progress=False)
    other = tmp_path / "other-run"
    other.mkdir()
    for path in data["run"].iterdir():
        (other / path.name).write_bytes(path.read_bytes())
    (other / "metrics.json").write_text("{}")
    with pytest.raises(InputError, match="another model") as caught:
        predict_scale(other, [folder], data["full"], jobs=1, chunk_size=5, progress=False)
    assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match="another input listing"):
        predict_scale(data["run"], [f"{folder}/star-0000*"], data["full"], jobs=1,
                      chunk_size=5, progress=False)
    with pytest.raises(InputError, match="'exohunt predict', not search"):
        search_scale([folder], data["full"], jobs=1, chunk_size=5, progress=False)


def test_shards_cover_every_chunk_once_and_the_last_one_merges(data, tmp_path):
    out = tmp_path / "sharded"
    parts = [predict_scale(data["run"], [str(data["folder"])], out, jobs=1, chunk_size=5,
                           shard=f"{i}/3", progress=False) for i in (2, 0, 1)]
    assert [p.n_chunks for p in parts] == [1, 2, 2]
    assert [p.merged is None for p in parts] == [True, True, False]
    _same_table(read_results(out), read_results(data["full"]))
    assert merge(out) == parts[-1].merged  # merging again changes nothing
    with pytest.raises(InputError, match="expected I/N"):
        predict_scale(data["run"], [str(data["folder"])], out, shard="3/3", progress=False)


def test_a_failed_chunk_is_retried_file_by_file(data, tmp_path, monkeypatch):
    """A chunk task that dies (as on a killed worker) costs only the file that killed it."""
    import exohunt.scale.tasks as tasks

    real = tasks.process_paths

    def dying(job, paths):
        if any("star-00003" in p for p in paths):
            raise RuntimeError("worker died")
        return real(job, paths)

    monkeypatch.setattr(tasks, "process_paths", dying)
    out = tmp_path / "retried"
    summary = predict_scale(data["run"], [str(data["folder"])], out, jobs=1, chunk_size=5,
                            progress=False)
    assert (summary.n_retried, summary.n_stars) == (1, 23)
    errors = read_errors(out)
    assert errors["file"].tolist() == [str(data["folder"] / "broken_llc.fits"),
                                       str(data["folder"] / "star-00003_llc.fits")]
    assert errors["reason"].iloc[1] == "RuntimeError: worker died"
    expected = read_results(data["full"])
    expected = expected[~expected["source"].str.contains("star-00003")].reset_index(drop=True)
    _same_table(read_results(out), expected)


@pytest.mark.slow
def test_process_pool_matches_in_process(data, tmp_path):
    out = tmp_path / "pool"
    summary = predict_scale(data["run"], [str(data["folder"])], out, jobs=2, chunk_size=5,
                            progress=False)
    assert summary.n_stars == 24
    _same_table(read_results(out), read_results(data["full"]))


def test_cli_list_file_and_file_urls(data, tmp_path, capsys):
    listing = tmp_path / "paths.txt"
    files = sorted(data["folder"].glob("star-*"))[:6]
    listing.write_text("".join(f"file://{p}\n" for p in files[:3])
                       + "".join(f"{p}\n" for p in files[3:]) + "/no/such/file.fits\n")
    out = tmp_path / "listed"
    assert main(["predict", str(data["run"]), f"@{listing}", "--out", str(out), "--jobs", "1",
                 "--csv", "--quiet"]) == 0
    assert "complete: 6 rows" in capsys.readouterr().out
    rows = pd.read_csv(out / "predictions.csv")
    assert rows["source"].tolist()[:3] == [f"file://{p}" for p in files[:3]]
    full = read_results(data["full"]).set_index("source")
    assert rows["probability"].tolist() == pytest.approx(
        full.loc[[str(p) for p in files], "probability"].tolist(), rel=1e-12)
    errors = pd.read_csv(out / "errors.csv")
    assert errors["file"].tolist() == ["/no/such/file.fits"]
    assert "no such file" in errors["reason"][0]


@pytest.mark.parametrize(("extra", "message"), [
    (["--shard", "1/1"], "--shard 1/1: expected I/N"),
    (["--scheduler", "local", "--sort"], "--strict and --sort do not apply"),
    (["--scheduler", "nonsense"], "expected 'local' or a scheduler address"),
    (["--input-list", "/no/list.txt"], "input list not found"),
])
def test_cli_scale_errors_are_one_line(data, tmp_path, capsys, extra, message):
    code = main(["predict", str(data["run"]), str(data["folder"]), "--out",
                 str(tmp_path / "o"), "--quiet", *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("command", ["predict", "search"])
def test_cli_without_inputs_is_one_line(data, tmp_path, capsys, command):
    args = [str(data["run"])] if command == "predict" else []
    code = main([command, *args, "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "no INPUT given" in err and len(err.splitlines()) == 1


def test_cli_csv_out_with_a_scheduler_is_refused(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EXOHUNT_SCHEDULER", "tcp://127.0.0.1:1")
    code = main(["predict", str(data["run"]), str(data["folder"]), "--out",
                 str(tmp_path / "p.csv"), "--quiet"])
    assert code == 2 and "writes a folder" in capsys.readouterr().err


def test_search_scale_equals_the_classic_search(data, tmp_path, capsys):
    files = [str(p) for p in sorted(data["folder"].glob("star-0000*"))]
    listing = tmp_path / "paths.txt"
    listing.write_text("\n".join(files))
    common = ["--max-signals", "2", "--no-plots", "--jobs", "1", "--quiet"]
    assert main(["search", *files, "--out", str(tmp_path / "classic"), *common]) == 0
    assert main(["search", "--input-list", str(listing), "--out", str(tmp_path / "scaled"),
                 "--chunk-size", "4", *common]) == 0
    assert "complete:" in capsys.readouterr().out
    classic = pd.read_csv(tmp_path / "classic" / "candidates.csv")
    scaled = pd.read_csv(tmp_path / "scaled" / "candidates.csv")
    assert len(classic) >= 2 and "periodic" in set(classic["kind"])
    _same_table(scaled, classic)


def test_slurm_example_config_builds_a_job_script():
    pytest.importorskip("dask_jobqueue")
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "docs" / "scale" / "slurm_predict.py"
    spec = importlib.util.spec_from_file_location("slurm_predict", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cluster = module.make_cluster(path.with_name("slurm.yaml"))
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH --cpus-per-task=16" in script and "#SBATCH --mem=" in script
    assert "--nthreads 1" in script and "--nworkers 16" in script
    assert "OMP_NUM_THREADS=1" in script


def test_the_watchdog_ends_a_worker_process_stuck_on_one_file(tmp_path):
    """Inside a worker process a file over its time limit ends the process (its nanny or the
    pool restarts it, and the file is retried alone); never in the caller's own process."""
    import subprocess
    import sys
    import time

    code = ("import time\n"
            "from exohunt.scale.watchdog import deadline\n"
            "with deadline(True, 0.5, 'reading stuck.fits'):\n"
            "    time.sleep(30)\n")
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 75 and time.monotonic() - start < 25
    assert "reading stuck.fits exceeded its time limit" in done.stderr


def test_compressed_files_and_archive_members_are_listed_and_named(data, tmp_path):
    import gzip
    import zipfile

    first, second, third = sorted(data["folder"].glob("star-*"))[:3]
    folder = tmp_path / "packed"
    folder.mkdir()
    with zipfile.ZipFile(folder / "pack.zip", "w") as archive:
        archive.write(first, first.name)
        archive.write(second, second.name)
    (folder / f"{third.name}.gz").write_bytes(gzip.compress(third.read_bytes()))
    out = tmp_path / "out"
    predict_scale(data["run"], [str(folder)], out, jobs=1, progress=False)
    rows = read_results(out)
    assert rows["source"].tolist() == [f"{folder}/pack.zip::{first.name}",
                                       f"{folder}/pack.zip::{second.name}",
                                       f"{folder}/{third.name}.gz"]
    full = read_results(data["full"]).set_index("source")
    assert rows["probability"].tolist() == pytest.approx(
        full.loc[[str(first), str(second), str(third)], "probability"].tolist(), rel=1e-5)
