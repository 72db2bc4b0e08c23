"""A complete Keras training script for the current settings ("show me the code").

The script is what a student runs at home (with internet, so Keras can download
the data): load and scale the images, build the very network the page trains,
compile, fit with a validation split, plot the history, evaluate on the test set
and name the classes of the first 10 test images, as CURRICULUM.md §4 and §7 do.
Only text is produced here; Keras is never imported.

>>> from core.models import ModelChoice, model_layers
>>> layers = model_layers(ModelChoice("mlp", hidden_sizes=(32,)), (8, 8), 10)
>>> script = training_script("digits", None, (8, 8), 10, layers, 0.0, 0.0, "adam",
...                          0.001, "sparse_categorical_crossentropy", 32, 5, 0.1, 0)
>>> "keras.optimizers.Adam(learning_rate=0.001)" in script
True
>>> script_file_name("fashion_mnist", "cnn")
'train_fashion_mnist_cnn.py'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from core.datasets import CLASS_NAMES
from core.keras_build import keras_call, to_keras_code
from core.layer_spec import LayerSpec
from core.models import (
    LOSSES,
    MOMENTUM,
    OPTIMIZERS,
    REGULARIZED_KINDS,
    regularizer_config,
)

# One image's shape as the script feeds it to the model (grayscale gets a channel).
IMAGE_SHAPES = {
    "mnist": (28, 28, 1),
    "fashion_mnist": (28, 28, 1),
    "cifar10": (32, 32, 3),
    "digits": (8, 8, 1),
}
PIXEL_MAX = {"digits": 16}  # load_digits counts ink 0..16; the others are 0..255
DIGITS_TEST_SIZE = 360  # the app's digits split: 1,437 train / 360 test
NUM_SHOWN = 10  # test images whose predicted and true classes are printed
_OPTIMIZER_CALLS = {
    "sgd": "keras.optimizers.SGD(learning_rate={lr!r})",
    "momentum": f"keras.optimizers.SGD(learning_rate={{lr!r}}, momentum={MOMENTUM})",
    "rmsprop": "keras.optimizers.RMSprop(learning_rate={lr!r})",
    "adam": "keras.optimizers.Adam(learning_rate={lr!r})",
}


def training_script(dataset: str, subset: int | None, input_shape: tuple,
                    num_classes: int, layers: Sequence[LayerSpec], l1: float,
                    l2: float, optimizer: str, learning_rate: float, loss: str,
                    batch_size: int, epochs: int, validation_split: float,
                    seed: int) -> str:
    """A runnable script that trains ``layers`` on ``dataset`` as the page does.

    Args:
        dataset: "mnist", "fashion_mnist", "cifar10" or "digits".
        subset: None for every training image, or N to keep the first N (and
            max(N // 5, 100) test images, as the app does).
        input_shape: one image's shape, (h, w) or (h, w, c); grayscale images get
            a channel axis in the script, so the model's input is (h, w, 1).
        num_classes: the softmax width (10 for every dataset here).
        layers: the network, e.g. ``model_layers(choice, input_shape, 10)``.
        l1, l2: the L1/L2 penalty on every Dense and Conv2D kernel (0 = none).
        optimizer: "sgd", "momentum" (SGD with 0.9), "rmsprop" or "adam".
        learning_rate: the optimizer's step size, > 0.
        loss: "sparse_categorical_crossentropy" (integer labels) or
            "categorical_crossentropy" (one-hot labels).
        batch_size, epochs: as in ``model.fit``.
        validation_split: the share of training images held out, 0 ≤ v < 1.
        seed: for ``keras.utils.set_random_seed`` and the digits split.

    Returns:
        The script's text, ending with a newline.

    Raises:
        ValueError: an unknown dataset, optimizer or loss, or a setting out of range.
    """
    model_shape = _model_shape(dataset, input_shape, num_classes)
    _check_training(optimizer, learning_rate, loss, batch_size, epochs,
                    validation_split, subset)
    regularizer_config(l1, l2)  # raises for negative penalties
    sections = [
        _header(dataset, seed),
        _data_lines(dataset, subset, seed),
        _scaling_lines(dataset, num_classes, loss),
        _model_lines(model_shape, layers, l1, l2),
        _fit_lines(optimizer, learning_rate, loss, batch_size, epochs,
                   validation_split),
        _report_lines(loss),
    ]
    return "\n".join(line for section in sections for line in section) + "\n"


def script_file_name(dataset: str, kind: str) -> str:
    """The download name for a training script, e.g. ``train_mnist_cnn.py``.

    >>> script_file_name("cifar10", "MLP")
    'train_cifar10_mlp.py'
    """
    parts = [re.sub(r"[^a-z0-9]+", "_", part.lower()).strip("_")
             for part in ("train", dataset, kind)]
    return "_".join(part for part in parts if part) + ".py"


def _model_shape(dataset: str, input_shape: tuple, num_classes: int) -> tuple:
    """The model's input shape (with channels), checked against the dataset."""
    if dataset not in IMAGE_SHAPES:
        raise ValueError(f"Unknown dataset {dataset!r}; use one of "
                         f"{', '.join(IMAGE_SHAPES)}.")
    image_shape = IMAGE_SHAPES[dataset]
    if tuple(input_shape) not in (image_shape, image_shape[:2]):
        raise ValueError(f"{dataset} images have shape {image_shape}, so the input "
                         f"shape must be {image_shape}, not {tuple(input_shape)}.")
    if num_classes != len(CLASS_NAMES[dataset][0]):
        raise ValueError(f"{dataset} has {len(CLASS_NAMES[dataset][0])} classes, "
                         f"not {num_classes}.")
    return image_shape


def _check_training(optimizer: str, learning_rate: float, loss: str,
                    batch_size: int, epochs: int, validation_split: float,
                    subset: int | None) -> None:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {optimizer!r}; use one of "
                         f"{', '.join(OPTIMIZERS)}.")
    if loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; use one of {', '.join(LOSSES)}.")
    if not learning_rate > 0:
        raise ValueError(f"The learning rate must be > 0, got {learning_rate}.")
    if batch_size < 1 or epochs < 1:
        raise ValueError(f"batch_size and epochs must be ≥ 1, got {batch_size} "
                         f"and {epochs}.")
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be in [0, 1), got "
                         f"{validation_split}.")
    if subset is not None and subset < 1:
        raise ValueError(f"subset must be a positive whole number or None, not "
                         f"{subset!r}.")


def _header(dataset: str, seed: int) -> list[str]:
    lines = ["import os", "", 'os.environ["KERAS_BACKEND"] = "tensorflow"', "",
             "import keras", "import matplotlib.pyplot as plt", "import numpy as np",
             "from keras import layers"]
    if dataset == "digits":
        lines += ["from sklearn.datasets import load_digits",
                  "from sklearn.model_selection import train_test_split"]
    return [*lines, "", "# The same seed gives the same weights, shuffles and split.",
            f"keras.utils.set_random_seed({seed})", ""]


def _data_lines(dataset: str, subset: int | None, seed: int) -> list[str]:
    if dataset == "digits":
        lines = ["# 1,797 handwritten digits of 8×8 pixels, ink 0..16.",
                 "digits = load_digits()",
                 "x_train, x_test, y_train, y_test = train_test_split(",
                 f"    digits.images, digits.target, test_size={DIGITS_TEST_SIZE},",
                 f"    random_state={seed}, stratify=digits.target)"]
    else:
        lines = ["# Keras downloads the data once into ~/.keras/datasets.",
                 "(x_train, y_train), (x_test, y_test) = "
                 f"keras.datasets.{dataset}.load_data()"]
    if dataset == "cifar10":
        lines += ["y_train, y_test = y_train.ravel(), y_test.ravel()  # (N, 1) → (N,)"]
    if subset is not None:
        lines += ["# A smaller set trains faster.",
                  f"x_train, y_train = x_train[:{subset}], y_train[:{subset}]",
                  f"x_test, y_test = x_test[:{max(subset // 5, 100)}], "
                  f"y_test[:{max(subset // 5, 100)}]"]
    return [*lines, 'print("train", x_train.shape, "test", x_test.shape)', ""]


def _scaling_lines(dataset: str, num_classes: int, loss: str) -> list[str]:
    pixel_max = float(PIXEL_MAX.get(dataset, 255))
    lines = ["# Pixels to [0, 1]: small inputs help gradient descent.",
             f'x_train = x_train.astype("float32") / {pixel_max}',
             f'x_test = x_test.astype("float32") / {pixel_max}']
    if IMAGE_SHAPES[dataset][2] == 1:
        lines += ["# Grayscale: add a channel axis, (N, h, w) → (N, h, w, 1).",
                  "x_train, x_test = x_train[..., np.newaxis], x_test[..., np.newaxis]"]
    names = json.dumps(list(CLASS_NAMES[dataset][0]), ensure_ascii=False)
    lines += [f"class_names = {names}"]
    if loss == "categorical_crossentropy":
        lines += ["# One-hot labels for categorical_crossentropy: 3 → [0, 0, 0, 1, …]",
                  "y_train_one_hot = keras.utils.to_categorical(y_train, "
                  f"{num_classes})",
                  f"y_test_one_hot = keras.utils.to_categorical(y_test, {num_classes})"]
    return [*lines, ""]


def _model_lines(model_shape: tuple, layers: Sequence[LayerSpec], l1: float,
                 l2: float) -> list[str]:
    """to_keras_code's model, with the L1/L2 penalty on Dense and Conv2D kernels."""
    code_lines = to_keras_code(model_shape, layers).splitlines()[3:]
    penalty = regularizer_config(l1, l2)
    calls = [keras_call(spec) for spec in layers]
    lines, index = [], 0
    for line in code_lines:
        if index < len(layers) and calls[index] in line:
            if penalty is not None and layers[index].kind in REGULARIZED_KINDS:
                regularized = f"{calls[index][:-1]}, kernel_regularizer=regularizer)"
                line = line.replace(calls[index], regularized, 1)
            index += 1
        lines.append(line)
    header = ["# The network, as on the page."]
    if penalty is not None:
        header = ["# Loss += l1·Σ|w| + l2·Σw² over every Dense and Conv2D kernel.",
                  f"regularizer = keras.regularizers.L1L2(l1={float(l1)!r}, "
                  f"l2={float(l2)!r})", "", *header]
    return [*header, *lines, ""]


def _fit_lines(optimizer: str, learning_rate: float, loss: str, batch_size: int,
               epochs: int, validation_split: float) -> list[str]:
    call = _OPTIMIZER_CALLS[optimizer].format(lr=float(learning_rate))
    targets = "y_train_one_hot" if loss == "categorical_crossentropy" else "y_train"
    return [f"model.compile(optimizer={call},",
            f'              loss="{loss}", metrics=["accuracy"])',
            f"history = model.fit(x_train, {targets}, batch_size={batch_size}, "
            f"epochs={epochs},",
            f"                    validation_split={float(validation_split)!r})", "",
            "# Loss and accuracy per epoch; val_ curves are the held-out images.",
            "fig, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 4))",
            "for name, values in history.history.items():",
            '    axis = accuracy_axis if "accuracy" in name else loss_axis',
            "    axis.plot(range(1, len(values) + 1), values, label=name)",
            'loss_axis.set(xlabel="epoch", title="loss")',
            'accuracy_axis.set(xlabel="epoch", title="accuracy", ylim=(0, 1))',
            "for axis in (loss_axis, accuracy_axis):",
            "    axis.grid(True)",
            "    axis.legend()",
            "plt.tight_layout()",
            "plt.show()", ""]


def _report_lines(loss: str) -> list[str]:
    targets = "y_test_one_hot" if loss == "categorical_crossentropy" else "y_test"
    return [
        "# Images the network never saw during training.",
        f"test_loss, test_accuracy = model.evaluate(x_test, {targets}, verbose=0)",
        'print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")', "",
        "# The most probable class of each image: argmax over the softmax.",
        f"probabilities = model.predict(x_test[:{NUM_SHOWN}], verbose=0)",
        "predicted = np.argmax(probabilities, axis=1)",
        f"for guess, truth in zip(predicted, y_test[:{NUM_SHOWN}]):",
        '    print(f"predicted {class_names[guess]:<12} true {class_names[truth]}")',
    ]
