"""The models a picture can be classified with: small CNNs trained once per server
on first use, and ImageNet's MobileNetV2 when its weights are in Keras' cache.

The shared CNNs are the Training lab's own small CNN (Conv 3×3 + max pool, twice,
Dense 64, softmax), Adam 0.001, batch 32, on at most ``SHARED_LIMIT`` training
images, scored on the test set. Keras is imported only when a model is built.

>>> shared_input_shape((28, 28))
(28, 28, 1)
>>> mobilenet_files()["weights"].name
'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from core.datasets import ImageDataset, keras_datasets_dir, to_model_input
from core.models import ModelChoice, build_model, compile_model

SHARED_CHOICES = {
    "mnist": ModelChoice("cnn", conv_filters=(16, 32)),
    "fashion_mnist": ModelChoice("cnn", conv_filters=(32, 64)),
    "cifar10": ModelChoice("cnn", conv_filters=(32, 64)),
}
SHARED_EPOCHS = {"mnist": 10, "fashion_mnist": 8, "cifar10": 10}
SHARED_LIMIT = 12_000  # training images for a shared model: first use stays short
MOBILENET_WEIGHTS = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
MOBILENET_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                 "mobilenet_v2/" + MOBILENET_WEIGHTS)
CLASS_INDEX = "imagenet_class_index.json"
CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                   + CLASS_INDEX)
IMAGENET_SHAPE = (224, 224, 3)


def shared_input_shape(image_shape: tuple[int, ...]) -> tuple[int, ...]:
    """One image's model input: a channel axis added to grayscale."""
    return (*image_shape, 1) if len(image_shape) == 2 else tuple(image_shape)


def start_classifier_training(data: ImageDataset, seed: int = 0) -> Any:
    """Train the dataset's shared CNN in the background; returns the job.

    Raises:
        ValueError: no shared model for this dataset.
    """
    from core.training import start_training

    if data.name not in SHARED_CHOICES:
        raise ValueError(f"No shared model for {data.name!r}.")
    choice, shape = SHARED_CHOICES[data.name], shared_input_shape(data.image_shape)
    x = to_model_input(data.x_train, "unit", channels=True)
    x_test = to_model_input(data.x_test, "unit", channels=True)

    def build() -> Any:
        return compile_model(build_model(choice, shape, data.num_classes))

    return start_training(build, x, data.y_train, epochs=SHARED_EPOCHS[data.name],
                          batch_size=32, seed=seed, x_test=x_test,
                          y_test=data.y_test)


def keras_models_dir() -> Path:
    """Keras' model-weights cache: ``$KERAS_HOME/models`` (beside ``datasets``)."""
    return keras_datasets_dir().parent / "models"


def mobilenet_files() -> dict[str, Path]:
    """Where Keras keeps MobileNetV2's ImageNet weights and the class names."""
    folder = keras_models_dir()
    return {"weights": folder / MOBILENET_WEIGHTS, "classes": folder / CLASS_INDEX}


def mobilenet_available() -> bool:
    return all(path.is_file() for path in mobilenet_files().values())


def imagenet_class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet class names, in index order, from Keras' cached file."""
    table = json.loads(mobilenet_files()["classes"].read_text("utf-8"))
    return tuple(table[str(index)][1].replace("_", " ") for index in range(len(table)))


def load_mobilenet() -> Any:
    """MobileNetV2 with the cached ImageNet weights (never downloads)."""
    from core.keras_import import load_keras

    keras = load_keras()
    return keras.applications.MobileNetV2(
        weights=str(mobilenet_files()["weights"]), input_shape=IMAGENET_SHAPE)


def predict_probabilities(model: Any, x: np.ndarray) -> np.ndarray:
    """Class probabilities for a batch, calling the model directly (no
    ``predict()``, whose per-call setup costs ~100 ms)."""
    return np.asarray(model(np.asarray(x, dtype=np.float32), training=False))
