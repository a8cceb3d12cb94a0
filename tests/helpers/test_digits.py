"""helpers.data's handwritten digits: scikit-learn's 8x8 images, and MNIST read from IDX files that the
tests write (nothing is downloaded: the download path is tried against a file:// mirror)."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from helpers.data import MNIST_FILES, digit_images, load_mnist, read_idx


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """``array`` in the IDX format: two zero bytes, the type code, the rank, the dimensions, the data."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype({0x08: ">u1", 0x0D: ">f4"}[type_code]).tobytes()


def write_mnist(folder, n_train=30, n_test=12, seed=0):
    """A small MNIST of random images under the standard file names, gzipped as the real files are."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)),
        "train_labels": rng.integers(0, 10, n_train),
        "test_images": rng.integers(0, 256, (n_test, 28, 28)),
        "test_labels": rng.integers(0, 10, n_test),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in MNIST_FILES.items():
        (folder / name).write_bytes(gzip.compress(idx_bytes(arrays[key])))
    return arrays


def test_read_idx_reads_plain_and_gzipped_files_of_any_type(tmp_path):
    images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "plain").write_bytes(idx_bytes(images))
    (tmp_path / "zipped").write_bytes(gzip.compress(idx_bytes(images)))
    for name in ("plain", "zipped"):
        read = read_idx(tmp_path / name)
        assert read.shape == (2, 3, 4) and read.dtype == np.uint8 and np.array_equal(read, images)
    floats = np.array([[1.5, -2.25], [0.0, 3.0]])
    (tmp_path / "floats").write_bytes(idx_bytes(floats, 0x0D))
    assert np.array_equal(read_idx(tmp_path / "floats"), floats.astype(np.float32))


def test_read_idx_names_a_file_that_is_not_idx_or_is_truncated(tmp_path):
    (tmp_path / "text").write_bytes(b"<html>404 not found</html>")
    with pytest.raises(ValueError, match=r"text is not an IDX file"):
        read_idx(tmp_path / "text")
    (tmp_path / "short").write_bytes(idx_bytes(np.zeros((5, 28, 28), np.uint8))[:-10])
    with pytest.raises(ValueError, match=r"short: the header promises shape \(5, 28, 28\).*truncated"):
        read_idx(tmp_path / "short")


def test_load_mnist_gives_rows_of_pixels_in_0_1_and_integer_labels(tmp_path):
    arrays = write_mnist(tmp_path / "mnist")
    x_train, y_train, x_test, y_test = load_mnist(tmp_path / "mnist")
    assert x_train.shape == (30, 784) and x_test.shape == (12, 784)
    assert x_train.dtype == np.float64 and y_train.dtype == np.int64
    assert np.allclose(x_train[3], arrays["train_images"][3].ravel() / 255)
    assert np.array_equal(y_test, arrays["test_labels"])


def test_load_mnist_downloads_only_when_asked(tmp_path):
    mirror = tmp_path / "mirror"
    write_mnist(mirror)
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte\.gz.*download=True"):
        load_mnist(tmp_path / "data")
    assert not (tmp_path / "data").exists()  # nothing fetched, nothing created
    x_train, *_ = load_mnist(tmp_path / "data", download=True, url=mirror.as_uri() + "/")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(MNIST_FILES.values())
    assert x_train.shape == (30, 784)


def test_a_failed_download_leaves_no_file_that_looks_downloaded(tmp_path):
    with pytest.raises(OSError):
        load_mnist(tmp_path / "data", download=True, url=(tmp_path / "no-mirror").as_uri() + "/")
    assert not set(MNIST_FILES.values()) & {p.name for p in (tmp_path / "data").iterdir()}


def test_load_mnist_refuses_images_and_labels_that_do_not_match(tmp_path):
    write_mnist(tmp_path / "mnist")
    (tmp_path / "mnist" / MNIST_FILES["test_labels"]).write_bytes(gzip.compress(idx_bytes(np.zeros(5))))
    with pytest.raises(ValueError, match=r"test images of shape \(12, 28, 28\) and labels of shape \(5,\)"):
        load_mnist(tmp_path / "mnist")


def test_digit_images_from_scikit_learn_are_a_seeded_subset():
    digits = digit_images(n_train=500, n_test=100, seed=0)
    assert digits.x_train.shape == (500, 64) and digits.x_test.shape == (100, 64)
    assert digits.side == 8 and digits.n_pixels == 64
    assert digits.x_train.min() >= 0 and digits.x_train.max() == 1.0 and digits.x_train.dtype == np.float64
    assert set(np.unique(digits.y_train)) == set(range(10)) and digits.y_train.dtype == np.int64
    again, other = digit_images(seed=0), digit_images(seed=1)
    assert np.array_equal(again.x_train, digits.x_train) and np.array_equal(again.y_test, digits.y_test)
    assert not np.array_equal(other.x_train, digits.x_train)


def test_digit_images_from_mnist_run_the_same_cells(tmp_path):
    write_mnist(tmp_path / "mnist", n_train=40, n_test=20)
    digits = digit_images("mnist", n_train=25, n_test=10, seed=3, folder=tmp_path / "mnist")
    assert digits.x_train.shape == (25, 784) and digits.x_test.shape == (10, 784) and digits.side == 28
    assert np.array_equal(digits.x_train, digit_images("mnist", 25, 10, 3, tmp_path / "mnist").x_train)


def test_digit_images_name_what_is_wrong():
    with pytest.raises(ValueError, match="1797 images, fewer than 2000"):
        digit_images(n_train=1900, n_test=100)
    with pytest.raises(ValueError, match="unknown source 'cifar'"):
        digit_images("cifar")
