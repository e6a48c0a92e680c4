"""Bundled models: the record and card the build writes, hash checks, the Python API, packaging,
and — for every model committed under src/exohunt/bundled — that it matches its build."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _bundled_fixtures import CARD, REPO, load_driver, write_builders
from exohunt.bundled import (
    BUNDLE_FILE,
    CARD_FILE,
    MAX_TOTAL_BYTES,
    bundled_run_dir,
    file_digests,
    list_bundled,
    render_card,
    verify_bundled,
)
from exohunt.errors import InputError

PACKAGE_BUNDLES = REPO / "src" / "exohunt" / "bundled"
COMMITTED = sorted(p.parent.name for p in PACKAGE_BUNDLES.glob(f"*/{BUNDLE_FILE}"))
BUILD_KEYS = {"command", "seed", "git_commit", "wall_s", "cpu_s", "cpu_model", "date",
              "tolerance"}


def test_render_card_fills_dotted_paths_with_format_specs():
    values = {"name": "m", "metrics": {"val": {"ap": 0.98765, "n": 12}, "runs": [3, 4.5]}}
    text = "{{name}}: AP {{metrics.val.ap:.3f}} on {{ metrics.val.n:d }} ({{metrics.runs.1}})"
    assert render_card(text, values) == "m: AP 0.988 on 12 (4.5)"
    assert render_card("no placeholders {x}", values) == "no placeholders {x}"
    with pytest.raises(InputError, match=r"line 2: \{\{metrics.val.recall:.2f\}\}.*'recall'"):
        render_card("ok\n{{metrics.val.recall:.2f}}", values)
    with pytest.raises(InputError, match=r"line 1: cannot format name='m' with '.2f'"):
        render_card("{{name:.2f}}", values)


def test_build_writes_record_card_and_hashes_that_verify(tiny):
    directory = tiny / "default"
    record = json.loads((directory / BUNDLE_FILE).read_text())
    assert record["name"] == "default" and record["kind"] == "lightcurve"
    assert record["files"] == file_digests(directory)
    assert {"config.json", "model.skops", CARD_FILE} <= set(record["files"])
    assert BUILD_KEYS <= set(record["build"]) and record["build"]["seed"] == 0
    assert record["build"]["command"].startswith("python benchmarks/build_bundled_models.py")
    assert record["build"]["tolerance"] == "identical files" and record["build"]["quick"]
    assert 0 < record["metrics"]["val"]["ap"] <= 1
    card = (directory / CARD_FILE).read_text()
    assert card == render_card(CARD, {k: v for k, v in record.items() if k != "files"})
    assert f"| validation AP | {record['metrics']['val']['ap']:.3f} |" in card
    model = verify_bundled("default")
    assert model.size_bytes == sum(p.stat().st_size for p in directory.iterdir())
    assert [m.name for m in list_bundled()] == ["default"]


@pytest.mark.parametrize("damage", ["modify", "delete"])
def test_a_tampered_or_missing_bundled_file_is_refused_naming_file_and_model(tiny, damage):
    weights = tiny / "default" / "model.skops"
    if damage == "modify":
        weights.write_bytes(weights.read_bytes()[:-4] + b"XXXX")
    else:
        weights.unlink()
    expected = "does not match its SHA-256" if damage == "modify" else "is missing"
    with pytest.raises(InputError, match=expected) as error:
        verify_bundled("default")
    message = str(error.value)
    assert "'default'" in message and "model.skops" in message and "\n" not in message


def test_a_bundle_of_another_feature_version_is_refused(tiny):
    path = tiny / "default" / BUNDLE_FILE
    record = json.loads(path.read_text())
    record["feature_version"] = "search-11:old"
    path.write_text(json.dumps(record))
    with pytest.raises(InputError, match=r"'search-11'.*rebuild it: python benchmarks/build"):
        verify_bundled("default")
    from exohunt.search import FEATURE_VERSION

    for compatible in sorted(__import__(
            "exohunt.search.features", fromlist=["x"]).COMPATIBLE_FEATURE_VERSIONS)[:1]:
        record["feature_version"] = compatible
        path.write_text(json.dumps(record))  # compatible, but not what its run records
        with pytest.raises(InputError, match="its run records"):
            verify_bundled("default")
    record["feature_version"] = FEATURE_VERSION
    path.write_text(json.dumps(record))
    verify_bundled("default")


def test_unknown_names_list_the_bundled_ones(tiny, tmp_path, monkeypatch):
    with pytest.raises(InputError, match=r"unknown bundled model 'nope'; bundled models: default"):
        bundled_run_dir("nope")
    monkeypatch.setenv("EXOHUNT_BUNDLED_DIR", str(tmp_path / "empty"))
    assert list_bundled() == []
    with pytest.raises(InputError, match=r"no bundled models are installed.*exohunt train"):
        bundled_run_dir("default")


def test_python_predict_without_a_run_uses_the_bundled_default(tiny, tmp_path):
    import exohunt
    from _scale_fixtures import write_fits_files
    from exohunt.training import load_model

    files = write_fits_files(tmp_path / "fits", 3)
    summary = exohunt.predict(files, out=tmp_path / "a.csv", jobs=1, progress=False)
    assert summary.n_stars == 3
    direct = exohunt.predict(load_model(tiny / "default"), files, out=tmp_path / "b.csv",
                             jobs=1, progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(summary.out), pd.read_csv(direct.out))
    by_path = exohunt.predict(str(tiny / "default"), files, out=tmp_path / "c.csv", jobs=1,
                              progress=False)  # a run directory path works too
    assert np.allclose(pd.read_csv(by_path.out)["probability"],
                       pd.read_csv(summary.out)["probability"])
    with pytest.raises(InputError, match=r"unknown bundled model 'nope'.*default"):
        exohunt.predict(files, out=tmp_path / "d.csv", model="nope")
    with pytest.raises(InputError, match="not both"):
        exohunt.predict(str(tiny / "default"), files, out=tmp_path / "d.csv", model="default")
    with pytest.raises(InputError, match="is a run directory"):
        exohunt.predict(str(tiny / "default"), out=tmp_path / "d.csv")


def test_build_refuses_bad_requests_before_training_and_over_the_size_budget(
        tmp_path, capsys, monkeypatch):
    driver = load_driver()
    builders = write_builders(tmp_path / "builders")
    out = tmp_path / "out"
    base = ["--builders", str(builders), "--out", str(out)]
    assert driver.main([*base, "--only", "nope"]) == 2
    assert "unknown model(s) ['nope']" in capsys.readouterr().err
    assert driver.main(["--builders", str(builders), "--quick"]) == 2
    assert "--quick builds are for tests: give --out" in capsys.readouterr().err
    (builders / "cards" / "default.md.in").unlink()
    assert driver.main([*base, "--quick"]) == 2
    assert "default.md.in" in capsys.readouterr().err
    write_builders(builders)
    import exohunt.bundled

    monkeypatch.setattr(exohunt.bundled, "MAX_TOTAL_BYTES", 10_000)
    assert driver.main([*base, "--quick"]) == 2
    assert "over the 0.01 MB budget; nothing was replaced" in capsys.readouterr().err
    assert not out.exists()


def test_wheel_and_sdist_ship_the_bundled_files(tiny_root, tmp_path):
    import shutil

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(tiny_root / "default", source / "src/exohunt/bundled/tiny")
    member = source / "src/exohunt/bundled/tiny/member-00"  # nested files ship too
    member.mkdir()
    (member / "config.json").write_text("{}")
    expected = {f"exohunt/bundled/tiny/{p.relative_to(source / 'src/exohunt/bundled/tiny')}"
                for p in (source / "src/exohunt/bundled/tiny").rglob("*") if p.is_file()}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(source)], check=True,
                   capture_output=True)
    wheel = next((tmp_path / "dist").glob("exohunt-*.whl"))
    assert expected <= set(zipfile.ZipFile(wheel).namelist())
    script = ("import sys; from setuptools import build_meta; "
              "print(build_meta.build_sdist(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "sdist")], cwd=source,
                   check=True, capture_output=True)
    import tarfile

    with tarfile.open(next((tmp_path / "sdist").glob("*.tar.gz"))) as archive:
        names = {n.split("/src/", 1)[-1] for n in archive.getnames()}
    assert expected <= names


def _check_bundle(directory: Path, template: Path, committed: bool) -> None:
    from exohunt.search import FEATURE_VERSION
    from exohunt.training import load_model
    from exohunt.training.features import VIEWBATCH_FEATURE_VERSION

    record = json.loads((directory / BUNDLE_FILE).read_text())
    assert record["name"] == directory.name
    assert record["files"] == file_digests(directory), "hashes differ from bundle.json"
    card = render_card(template.read_text(), {k: v for k, v in record.items() if k != "files"})
    assert card == (directory / CARD_FILE).read_text(), "MODEL_CARD.md is not the build's"
    current = FEATURE_VERSION if record["kind"] == "lightcurve" else VIEWBATCH_FEATURE_VERSION
    # A change of FEATURE_VERSION must rebuild the bundled models in the same commit (a
    # raw-sequence model records none: it carries its own preprocessing version).
    if record["feature_version"] is not None:
        assert record["feature_version"] == current, "rebuild: the feature version changed"
    assert BUILD_KEYS <= set(record["build"])
    assert record["build"].get("quick") is (not committed)
    assert load_model(directory, device="cpu").threshold > 0


@pytest.mark.parametrize("name", COMMITTED or [None])
def test_every_committed_bundle_matches_its_build_record_and_card(name, tiny_root):
    """For each committed model: hashes, card and feature version are the build's. With none
    committed yet, the same checks run on a fresh tiny build, so this test is never empty."""
    if name is None:
        directory = tiny_root / "default"
        template = tiny_root.parent / "builders" / "cards" / "default.md.in"
    else:
        directory = PACKAGE_BUNDLES / name
        template = REPO / "benchmarks" / "bundled" / "cards" / f"{name}.md.in"
    _check_bundle(directory, template, committed=name is not None)


def test_committed_bundles_fit_the_size_budget():
    total = sum(p.stat().st_size for name in COMMITTED
                for p in (PACKAGE_BUNDLES / name).rglob("*") if p.is_file())
    assert total <= MAX_TOTAL_BYTES == 20_000_000
    if COMMITTED and "default" in COMMITTED:  # listed first: it is what predict uses
        assert list_bundled()[0].name == "default"
