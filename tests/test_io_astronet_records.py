"""TFRecord / tf.train.Example reader on hand-made shards, CRC and corruption handling."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io import detect_format, read
from exohunt.io._crc32c import crc32c, crc32c_many, masked_crc32c, masked_crc32c_many
from exohunt.io.astronet_records import parse_example
from io_samples import astronet_example, example_bytes, tfrecord_bytes, write_tfrecord


def test_crc32c_known_vectors():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0
    assert crc32c(bytes(32)) == 0x8A9136AA


def test_vectorised_crc_matches_byte_loop(rng):
    data = rng.integers(0, 256, 5000, dtype=np.uint8)
    starts = np.array([0, 10, 400, 4000, 999])
    lengths = np.array([0, 300, 1, 1000, 777])
    expected = [crc32c(data[s:s + n].tobytes()) for s, n in zip(starts, lengths)]
    np.testing.assert_array_equal(crc32c_many(data, starts, lengths), expected)
    masked = [masked_crc32c(data[s:s + n].tobytes()) for s, n in zip(starts, lengths)]
    np.testing.assert_array_equal(masked_crc32c_many(data, starts, lengths), masked)


@pytest.mark.parametrize("packed", [True, False])
def test_parse_example(packed):
    features = parse_example(example_bytes({"a": [1.5, 2.5], "b": "PC", "c": [7, -1]},
                                           packed=packed))
    np.testing.assert_array_equal(features["a"], [1.5, 2.5])
    assert features["b"] == [b"PC"] and features["c"] == [7, -1]


def test_reads_views_table_and_labels(tmp_path):
    path = write_tfrecord(tmp_path / "train-00000-of-00001", ("PC", "EB", "J", "PC", "O"))
    views = read(path)
    assert isinstance(views, exohunt.ViewBatch)
    assert views.global_view.shape == (5, 201) and views.local_view.shape == (5, 61)
    assert views.global_view.dtype == np.float32
    np.testing.assert_array_equal(views.labels, [1, 0, 0, 1, 0])
    table = views.table
    assert list(table.columns[:7]) == ["disposition", "tic_id", "period_days", "t0_days",
                                       "duration_hours", "depth_ppm", "snr"]
    assert table["tic_id"].tolist() == [100, 101, 102, 103, 104]
    assert table["duration_hours"].iloc[0] == pytest.approx(3.0)  # 0.125 d
    assert table["toi_id"].iloc[0] == -1
    np.testing.assert_array_equal(views.with_positive(("PC", "EB")).labels, [1, 1, 0, 1, 0])
    expected = np.random.default_rng(0).normal(0, 1, 201).astype(np.float32)
    np.testing.assert_array_equal(views.global_view[0], expected)


def test_detected_by_content_without_a_telling_name(tmp_path):
    path = write_tfrecord(tmp_path / "shard.bin")
    assert detect_format(path) == "tfrecord"
    assert len(read(path)) == 4


def test_unpacked_floats(tmp_path):
    assert read(write_tfrecord(tmp_path / "x.tfrecord", ("J",), packed=False)).labels[0] == 0


def test_corrupt_data_crc(tmp_path):
    data = bytearray(write_tfrecord(tmp_path / "good.tfrecord").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.tfrecord").write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"bad\.tfrecord: record \d+ at byte \d+: data CRC"):
        read(tmp_path / "bad.tfrecord")


def test_corrupt_length(tmp_path):
    data = bytearray(write_tfrecord(tmp_path / "good.tfrecord").read_bytes())
    data[0] ^= 0x01
    (tmp_path / "bad.tfrecord").write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"bad\.tfrecord: record 0 .*(CRC|length)"):
        read(tmp_path / "bad.tfrecord")


def test_truncated_shard(tmp_path):
    data = write_tfrecord(tmp_path / "good.tfrecord").read_bytes()
    (tmp_path / "cut.tfrecord").write_bytes(data[:-100])
    with pytest.raises(InputError, match=r"cut\.tfrecord: record 3 at byte \d+: .*truncated"):
        read(tmp_path / "cut.tfrecord")


def test_records_that_are_not_examples(tmp_path):
    (tmp_path / "junk.tfrecord").write_bytes(tfrecord_bytes([b"\xff" * 40]))
    with pytest.raises(InputError, match=r"junk\.tfrecord: record 0 is not a tf\.train\.Example"):
        read(tmp_path / "junk.tfrecord")
    (tmp_path / "noview.tfrecord").write_bytes(tfrecord_bytes([example_bytes({"a": [1.0]})]))
    with pytest.raises(InputError, match="no float feature 'global_view'"):
        read(tmp_path / "noview.tfrecord")


def test_folder_of_shards_concatenates_with_source(tmp_path):
    write_tfrecord(tmp_path / "train-00000-of-00002", ("PC", "J"))
    write_tfrecord(tmp_path / "train-00001-of-00002", ("EB",))
    views = read(tmp_path)
    assert len(views) == 3 and views.labels.tolist() == [1, 0, 0]
    assert views.table["source"].str.endswith("00001-of-00002").tolist() == [False, False, True]


def test_length_header_layout():
    record = tfrecord_bytes([astronet_example(0)])
    (length,) = struct.unpack_from("<Q", record)
    assert len(record) == length + 16
