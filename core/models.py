"""The networks the lessons train: one choice of settings → layers → a Keras model.

A ``ModelChoice`` is what the sidebar picks (an MLP or a CNN, widths, activation,
dropout, batch norm, L1/L2). ``model_layers`` turns it into ``LayerSpec``s, so the
shape calculator's ``summarize`` explains the very network that trains, and
``build_model`` builds those same layers in Keras (``build_keras_model``), adding
the L1/L2 penalties as each Dense/Conv2D ``kernel_regularizer``. Regularizers do
not change shapes or parameter counts, so the summary never sees them.

Keras is imported only inside the functions that need it.

>>> from core.architecture import summarize
>>> layers = model_layers(MODEL_PRESETS["fashion_mlp"], (28, 28), 10)
>>> [spec.kind for spec in layers]
['Flatten', 'Dense', 'Dense', 'Dense']
>>> summarize((28, 28), layers).total_params
266610
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from core.layer_spec import LayerSpec, make_layer
from core.presets import PRESETS

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
LOSSES = ("sparse_categorical_crossentropy", "categorical_crossentropy")
MOMENTUM = 0.9  # "momentum" is SGD with this momentum, as in the documents
REGULARIZED_KINDS = frozenset({"Dense", "Conv2D"})


@dataclass(frozen=True)
class ModelChoice:
    """The settings that define a classifier.

    ``preset`` names a network in ``core.presets.PRESETS`` (e.g. "full_cnn"); its
    layers are used as written, with the last Dense resized to the number of
    classes, and the width/dropout/batch-norm fields are ignored (the document's
    network already says what it has). L1/L2 apply in every case.
    """

    kind: Literal["mlp", "cnn"] = "mlp"
    hidden_sizes: tuple[int, ...] = (128,)
    activation: str = "relu"
    dropout_rate: float = 0.0
    batch_norm: bool = False
    l1: float = 0.0
    l2: float = 0.0
    conv_filters: tuple[int, ...] = (16, 32)
    kernel_size: int = 3
    pool: bool = True
    preset: str | None = None


# The documents' classifiers (CURRICULUM.md §7), as choices.
MODEL_PRESETS: dict[str, ModelChoice] = {
    "cifar_mlp": ModelChoice("mlp", hidden_sizes=(200, 150)),
    "fashion_mlp": ModelChoice("mlp", hidden_sizes=(300, 100)),
    "full_cnn": ModelChoice("cnn", preset="full_cnn"),
    "listing_4_3_cnn": ModelChoice("cnn", preset="listing_4_3"),
}


def model_layers(choice: ModelChoice, input_shape: Sequence[int],
                 num_classes: int) -> list[LayerSpec]:
    """The choice's layers, in order, as the shape calculator reads them.

    MLP: Flatten → [Dense(h) (+BatchNormalization) (+Dropout)]* → Dense(softmax).
    CNN: [Conv2D(f, k, "same") (+BatchNormalization) (+MaxPooling2D(2))]* →
    Flatten → Dense(64, relu) (+Dropout) → Dense(num_classes, softmax).

    Args:
        choice: the settings.
        input_shape: one sample's shape, e.g. (28, 28) or (32, 32, 3).
        num_classes: the softmax layer's width.

    Returns:
        A list of LayerSpec for ``summarize`` and ``build_keras_model``.

    Raises:
        ValueError: an unknown kind or preset, or num_classes < 2.

    >>> choice = ModelChoice("cnn", conv_filters=(8,), batch_norm=True)
    >>> [spec.kind for spec in model_layers(choice, (8, 8, 1), 2)]
    ['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']
    """
    if num_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes, got {num_classes}.")
    if choice.preset is not None:
        return _preset_layers(choice.preset, num_classes)
    if choice.kind == "mlp":
        return _mlp_layers(choice, num_classes)
    if choice.kind == "cnn":
        if len(input_shape) != 3:
            raise ValueError("A CNN needs images of shape (height, width, channels), "
                             f"got {tuple(input_shape)}. Add a channel axis.")
        return _cnn_layers(choice, num_classes)
    raise ValueError(f"Unknown model kind {choice.kind!r}; use 'mlp' or 'cnn'.")


def _extras(choice: ModelChoice) -> list[LayerSpec]:
    """Batch norm and dropout after a hidden layer, in the documents' order."""
    extras = []
    if choice.batch_norm:
        extras.append(make_layer("BatchNormalization"))
    if choice.dropout_rate > 0:
        extras.append(make_layer("Dropout", (choice.dropout_rate,)))
    return extras


def _softmax(num_classes: int) -> LayerSpec:
    return make_layer("Dense", (num_classes,), {"activation": "softmax"})


def _mlp_layers(choice: ModelChoice, num_classes: int) -> list[LayerSpec]:
    layers = [make_layer("Flatten")]
    for units in choice.hidden_sizes:
        layers.append(make_layer("Dense", (units,), {"activation": choice.activation}))
        layers += _extras(choice)
    return [*layers, _softmax(num_classes)]


def _cnn_layers(choice: ModelChoice, num_classes: int) -> list[LayerSpec]:
    layers = []
    for filters in choice.conv_filters:
        layers.append(make_layer("Conv2D", (filters, choice.kernel_size), {
            "padding": "same", "activation": choice.activation}))
        if choice.batch_norm:
            layers.append(make_layer("BatchNormalization"))
        if choice.pool:
            layers.append(make_layer("MaxPooling2D", (2,)))
    layers += [make_layer("Flatten"),
               make_layer("Dense", (64,), {"activation": "relu"})]
    if choice.dropout_rate > 0:
        layers.append(make_layer("Dropout", (choice.dropout_rate,)))
    return [*layers, _softmax(num_classes)]


def _preset_layers(name: str, num_classes: int) -> list[LayerSpec]:
    """A document's network with its last Dense resized to ``num_classes``."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; known: {', '.join(PRESETS)}.")
    layers = list(PRESETS[name].layers)
    last = max(i for i, spec in enumerate(layers) if spec.kind == "Dense")
    layers[last] = replace(layers[last], args={**layers[last].args,
                                               "units": num_classes})
    return layers


def regularizer_config(l1: float, l2: float) -> dict[str, Any] | None:
    """Keras' serialised ``L1L2`` penalty, or None when both are 0.

    Loss += l1·Σ|w| + l2·Σw² over each regularised kernel.

    >>> regularizer_config(0.0, 0.01)
    {'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.01}}
    """
    if l1 < 0 or l2 < 0:
        raise ValueError(f"L1 and L2 must be ≥ 0, got l1={l1}, l2={l2}.")
    if l1 == 0 and l2 == 0:
        return None
    return {"class_name": "L1L2", "config": {"l1": float(l1), "l2": float(l2)}}


def build_model(choice: ModelChoice, input_shape: Sequence[int],
                num_classes: int, seed: int | None = None) -> Any:
    """Build the choice's network in Keras (uncompiled; imports Keras lazily).

    The layers are exactly ``model_layers(...)``; Dense and Conv2D kernels also get
    ``kernel_regularizer`` from ``regularizer_config(choice.l1, choice.l2)``.
    With ``seed``, ``keras.utils.set_random_seed(seed)`` runs first, so the same
    seed gives the same initial weights (``start_training`` also seeds).

    Returns:
        A ``keras.Model`` whose ``count_params()`` equals ``summarize``'s total.
    """
    from core.architecture import summarize
    from core.keras_build import build_keras_model

    penalty = regularizer_config(choice.l1, choice.l2)
    if seed is not None:
        from core.keras_import import load_keras

        load_keras().utils.set_random_seed(seed)
    layers = model_layers(choice, input_shape, num_classes)
    # Names fixed here, not by Keras' global counters: Streamlit calls
    # keras.backend.clear_session() after every script run of every session,
    # which resets those counters even while this thread is building a model.
    names = [row.name for row in summarize(input_shape, layers).rows]
    if penalty is not None:
        layers = [LayerSpec(spec.kind, {**spec.args, "kernel_regularizer": penalty},
                            spec.inputs) if spec.kind in REGULARIZED_KINDS else spec
                  for spec in layers]
    return build_keras_model(input_shape, layers, names=names)


def make_optimizer(optimizer: str, learning_rate: float) -> Any:
    """A Keras optimizer by lesson name: sgd, momentum (SGD 0.9), rmsprop, adam."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {optimizer!r}; use one of "
                         f"{', '.join(OPTIMIZERS)}.")
    if not learning_rate > 0:
        raise ValueError(f"The learning rate must be > 0, got {learning_rate}.")
    from core.keras_import import load_keras

    keras = load_keras()
    if optimizer in ("sgd", "momentum"):
        momentum = MOMENTUM if optimizer == "momentum" else 0.0
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    if optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    return keras.optimizers.Adam(learning_rate=learning_rate)


def compile_model(model: Any, optimizer: str = "adam",
                  learning_rate: float = 0.001,
                  loss: str = "sparse_categorical_crossentropy") -> Any:
    """Compile with the chosen optimizer and loss, metrics ["accuracy"].

    "sparse_categorical_crossentropy" takes integer labels (3);
    "categorical_crossentropy" takes one-hot rows ([0, 0, 0, 1, …]: ``one_hot``).

    Returns:
        The same model, compiled.
    """
    if loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; use one of {', '.join(LOSSES)}.")
    chosen = make_optimizer(optimizer, learning_rate)
    model.compile(optimizer=chosen, loss=loss, metrics=["accuracy"])
    return model


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Integer labels → one-hot float32 rows (for categorical cross-entropy).

    >>> one_hot(np.array([2, 0]), 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    labels = np.asarray(y).reshape(-1).astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"Labels must lie in 0..{num_classes - 1}, got "
                         f"{labels.min()}..{labels.max()}.")
    return np.eye(num_classes, dtype=np.float32)[labels]
