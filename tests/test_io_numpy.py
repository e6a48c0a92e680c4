"""numpy .npy/.npz arrays as the seed notebook saved them."""

from __future__ import annotations

import numpy as np
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io import read
from exohunt.io.numpy_arrays import read_npz


def _save_pair(folder, suffix, flux, labels):
    np.save(folder / f"X_{suffix}.npy", flux)
    if labels is not None:
        np.save(folder / f"y_{suffix}.npy", labels)


def test_x_with_y_beside_it(tmp_path, rng):
    flux = rng.normal(size=(5, 150))
    _save_pair(tmp_path, "train", flux, np.array([1, 2, 1, 1, 2]))
    batch = read(tmp_path / "X_train.npy")
    assert isinstance(batch, exohunt.LightCurveBatch)
    np.testing.assert_array_equal(batch.flux, flux.astype(np.float32))
    np.testing.assert_array_equal(batch.labels, [0, 1, 0, 0, 1])
    assert batch.meta["label_convention"] == "kaggle-1-2"


def test_three_dimensional_x_and_binary_float_labels(tmp_path, rng):
    flux = rng.normal(size=(4, 120, 1)).astype(np.float32)
    _save_pair(tmp_path, "test", flux, np.array([[0.0], [1.0], [0.0], [0.0]]))
    batch = read(tmp_path / "X_test.npy")
    assert batch.flux.shape == (4, 120)
    np.testing.assert_array_equal(batch.labels, [0, 1, 0, 0])


def test_unlabelled_x(tmp_path, rng):
    np.save(tmp_path / "X.npy", rng.normal(size=(2, 100)))
    assert read(tmp_path / "X.npy").labels is None


def test_folder_pairs_x_and_y_by_name(tmp_path, rng):
    _save_pair(tmp_path, "train", rng.normal(size=(5, 110)), np.array([1, 1, 1, 1, 2]))
    _save_pair(tmp_path, "test", rng.normal(size=(3, 110)), np.array([1, 2, 1]))
    batch = read(tmp_path)
    assert len(batch) == 8
    assert [part["source"].rsplit("/", 1)[1] for part in batch.meta["parts"]] == \
        ["X_test.npy", "X_train.npy"]
    np.testing.assert_array_equal(batch.labels, [0, 1, 0, 0, 0, 0, 0, 1])


def test_reading_a_label_file_alone_says_what_to_do(tmp_path):
    np.save(tmp_path / "y_train.npy", np.array([1, 2]))
    with pytest.raises(InputError, match=r"y_train\.npy: .*looks like labels.*X_train\.npy"):
        read(tmp_path / "y_train.npy")


def test_label_mismatch_and_bad_labels(tmp_path, rng):
    _save_pair(tmp_path, "a", rng.normal(size=(3, 100)), np.array([1, 2]))
    with pytest.raises(InputError, match=r"X_a\.npy: labels .*y_a\.npy have shape \(2,\)"):
        read(tmp_path / "X_a.npy")
    _save_pair(tmp_path, "b", rng.normal(size=(3, 100)), np.array([1, 5, 2]))
    with pytest.raises(InputError, match=r"X_b\.npy: row 1: label in .* is 5"):
        read(tmp_path / "X_b.npy")


def test_pickled_arrays_are_refused(tmp_path):
    np.save(tmp_path / "X_obj.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="pickle"):
        read(tmp_path / "X_obj.npy")


def test_wrong_shape_and_all_nan_row(tmp_path, rng):
    np.save(tmp_path / "X_flat.npy", rng.normal(size=300))
    with pytest.raises(InputError, match=r"shape \(300,\); expected \(stars, cadences\)"):
        read(tmp_path / "X_flat.npy")
    flux = rng.normal(size=(3, 100))
    flux[1] = np.nan
    np.save(tmp_path / "X_nan.npy", flux)
    with pytest.raises(InputError, match=r"X_nan\.npy: row 1: every flux value is NaN"):
        read(tmp_path / "X_nan.npy")


def test_npz_single_pair_and_key_choice(tmp_path, rng):
    flux = rng.normal(size=(4, 100))
    np.savez(tmp_path / "one.npz", X_train=flux, y_train=np.array([1, 1, 2, 1]))
    batch = read(tmp_path / "one.npz")
    np.testing.assert_array_equal(batch.labels, [0, 0, 1, 0])
    assert batch.meta["format"] == "npz"
    np.savez(tmp_path / "two.npz", X_train=flux, y_train=np.array([1, 1, 2, 1]),
             X_test=flux[:2], y_test=np.array([2, 1]))
    with pytest.raises(InputError, match=r"two\.npz: holds several flux arrays"):
        read(tmp_path / "two.npz")
    test = read_npz(tmp_path / "two.npz", key="X_test")
    np.testing.assert_array_equal(test.labels, [1, 0])
    np.savez(tmp_path / "plain.npz", flux)
    assert read(tmp_path / "plain.npz").labels is None
