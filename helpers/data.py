"""The course's data: seeded samplers for the regression tasks, and handwritten digits.

Every sampler takes a ``torch.Generator`` (or a seed) so that the data a notebook shows are
the same on every run and do not depend on how many random numbers other cells drew.
Regression inputs are float32 tensors of shape ``(n, d)``, targets of shape ``(n, 1)``.

:func:`make_rules_data` gives the classification lab's two classes, separated by a few lines.

Digits come from scikit-learn's 8x8 images, which ship with the package (nothing is downloaded), or
from MNIST's 28x28 images, read from the standard IDX files (:func:`read_idx`); :func:`load_mnist`
downloads those only when asked to. :func:`digit_images` gives either as NumPy arrays, one image a row.
"""

from __future__ import annotations

import gzip
import math
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

Target = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Dataset:
    """A training set and a test set of one regression task."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_train(self) -> int:
        """Number of training samples (the interpolation threshold of double descent)."""
        return self.x_train.shape[0]


def sum_of_squares(x: torch.Tensor) -> torch.Tensor:
    """The tutorial's target ``f(x) = x_1^2 + ... + x_d^2``, returned with shape ``(n, 1)``."""
    if x.ndim != 2:
        raise ValueError(f"expected inputs of shape (n, d), got shape {tuple(x.shape)}")
    return (x**2).sum(dim=1, keepdim=True)


def sample_uniform(
    n: int, dim: int, low: float = -1.0, high: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Draw ``n`` points whose ``dim`` coordinates are independent and uniform on ``[low, high]``."""
    if n < 0 or dim < 1:
        raise ValueError(f"need n >= 0 and dim >= 1, got n={n}, dim={dim}")
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    return low + (high - low) * torch.rand(n, dim, generator=generator)


def add_gaussian_noise(y: torch.Tensor, variance: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return ``y + v`` with ``v ~ N(0, variance)`` drawn independently for every entry.

    Note the parameter is the *variance*: ``N(0, 0.01)`` has standard deviation 0.1.
    """
    if variance < 0:
        raise ValueError(f"noise variance must be >= 0, got {variance}")
    return y + math.sqrt(variance) * torch.randn(y.shape, generator=generator)


def make_regression_data(
    target: Target = sum_of_squares,
    dim: int = 2,
    n_train: int = 500,
    n_test: int = 50,
    noise_var: float = 0.01,
    low: float = -1.0,
    high: float = 1.0,
    seed: int = 0,
) -> Dataset:
    """Sample a regression task: noisy training targets, noiseless test targets.

    Training and test inputs are drawn uniformly from ``[low, high]^dim``; training targets
    get ``N(0, noise_var)`` noise, test targets are the exact function values.
    """
    generator = torch.Generator().manual_seed(seed)
    x_train = sample_uniform(n_train, dim, low, high, generator)
    y_train = add_gaussian_noise(target(x_train), noise_var, generator)
    x_test = sample_uniform(n_test, dim, low, high, generator)
    y_test = target(x_test)
    return Dataset(x_train, y_train, x_test, y_test)


#: The classification lab's rules ``(w1, w2, b)``: a point of the unit square is in class 1 when
#: ``w1 x1 + w2 x2 + b > 0`` for every rule (a wedge: above the line x1 + x2 = 0.9 and above x2 = x1 - 0.3).
RULES = ((1.0, 1.0, -0.9), (-1.0, 1.0, 0.3))


def make_rules_data(
    n: int = 400, label_noise: float = 0.05, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Points uniform in the unit square, labelled by a few linear rules: ``(X, y)``.

    ``X`` is float32 of shape ``(n, 2)``; ``y`` is float32 of shape ``(n, 1)``, 1 where every rule of
    :data:`RULES` holds and 0 elsewhere, then flipped with probability ``label_noise``. Each rule is a
    line: a network of one hidden layer can learn them with a hidden unit a line.
    """
    if n < 1 or not 0 <= label_noise < 0.5:
        raise ValueError(f"need n >= 1 and 0 <= label_noise < 0.5, got n={n}, label_noise={label_noise}")
    X = torch.rand(n, 2, generator=generator)
    inside = torch.ones(n, dtype=torch.bool)
    for w1, w2, b in RULES:
        inside &= w1 * X[:, 0] + w2 * X[:, 1] + b > 0
    flip = torch.rand(n, generator=generator) < label_noise
    return X, (inside ^ flip).float()[:, None]


#: Where :func:`load_mnist` downloads from when asked to (a mirror of the original MNIST files).
MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
#: The four MNIST files, gzipped IDX, by their standard names.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
#: The element types of the IDX format, by their type code.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (MNIST's format), gzipped or not, into an array of its shape and element type.

    The format: two zero bytes, a type code, the number of dimensions, each dimension as a big-endian
    32-bit integer, then the elements in row-major order. Raises ``ValueError`` naming the file when
    its header or its length do not fit the format.
    """
    path = Path(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file: it must start with 0x00 0x00, a type code and a rank")
    rank = raw[3]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ValueError(f"{path}: the header promises {rank} dimensions but the file ends before them")
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">u4"))
    dtype = np.dtype(IDX_TYPES[raw[2]])
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: the header promises shape {shape} ({expected} bytes of data) but the file holds "
            f"{len(raw) - header} bytes; it is truncated or not an MNIST file (delete it and download it again)"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(
    folder: str | Path = "data/mnist", download: bool = False, url: str = MNIST_URL
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as ``(x_train, y_train, x_test, y_test)``: 60,000 and 10,000 images of 28x28 pixels.

    Images are float64 rows of 784 pixels scaled to [0, 1], labels int64 digits. The four files of
    :data:`MNIST_FILES` are read from ``folder``; with ``download=True`` the missing ones are first
    fetched from ``url`` (this needs a network, as in Colab; nothing is fetched otherwise). Raises
    ``FileNotFoundError`` naming the missing files and both ways to get them.
    """
    folder = Path(folder)
    missing = [name for name in MNIST_FILES.values() if not (folder / name).is_file()]
    if missing and download:
        folder.mkdir(parents=True, exist_ok=True)
        for name in missing:  # under a temporary name first, so that a broken download leaves no file behind
            partial = folder / f"{name}.part"
            urllib.request.urlretrieve(url + name, partial)
            partial.replace(folder / name)
    elif missing:
        raise FileNotFoundError(
            f"MNIST files missing in {folder}: {', '.join(missing)}; copy them there, or call "
            "load_mnist(..., download=True) where a network is available (Colab)"
        )
    arrays = {key: read_idx(folder / name) for key, name in MNIST_FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{folder}: {split} images of shape {images.shape} and labels of shape {labels.shape} do not "
                "match: expected (n, rows, columns) and (n,)"
            )
    pixels = {
        split: arrays[f"{split}_images"].reshape(len(arrays[f"{split}_images"]), -1) / 255.0
        for split in ("train", "test")
    }
    return (
        pixels["train"],
        arrays["train_labels"].astype(np.int64),
        pixels["test"],
        arrays["test_labels"].astype(np.int64),
    )


@dataclass(frozen=True)
class DigitImages:
    """A training and a test set of handwritten digits: rows of pixels in [0, 1] and int labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    side: int  # images are side x side pixels

    @property
    def n_pixels(self) -> int:
        """Pixels per image: the network's number of inputs."""
        return self.x_train.shape[1]


def digit_images(
    source: str = "digits",
    n_train: int = 500,
    n_test: int = 100,
    seed: int = 0,
    folder: str | Path = "data/mnist",
    download: bool = False,
) -> DigitImages:
    """A random subset of ``n_train`` training and ``n_test`` test digits, the same for the same seed.

    ``source="digits"``: scikit-learn's 1,797 8x8 images (shipped with the package, pixels 0-16 scaled
    to [0, 1]), shuffled and split; ``source="mnist"``: MNIST from :func:`load_mnist` (``folder``,
    ``download``), the training images drawn from its training set and the test images from its test set.
    """
    rng = np.random.default_rng(seed)
    if source == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        if n_train + n_test > len(digits.target):
            raise ValueError(f"scikit-learn's digits hold {len(digits.target)} images, fewer than {n_train + n_test}")
        order = rng.permutation(len(digits.target))
        train, test = order[:n_train], order[n_train : n_train + n_test]
        x, y = digits.data / 16.0, digits.target.astype(np.int64)
        return DigitImages(x[train], y[train], x[test], y[test], side=8)
    if source == "mnist":
        x_train, y_train, x_test, y_test = load_mnist(folder, download)
        if n_train > len(y_train) or n_test > len(y_test):
            raise ValueError(f"MNIST in {folder} holds {len(y_train)} training and {len(y_test)} test images")
        train = rng.choice(len(y_train), n_train, replace=False)
        test = rng.choice(len(y_test), n_test, replace=False)
        return DigitImages(x_train[train], y_train[train], x_test[test], y_test[test], side=28)
    raise ValueError(f'unknown source {source!r}: use "digits" (scikit-learn, offline) or "mnist"')
