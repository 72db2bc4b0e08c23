"""Reference networks from the documents (CURRICULUM.md §6) and three classics.

``PRESETS`` is keyed by a short name; each ``Preset`` holds the input shape (no
batch axis), the layers as ``LayerSpec`` and the total that Keras 3.15
``model.count_params()`` reports for it, measured by building the network in
Keras (not typed from the documents). ``expected_total`` is None for the one
network Keras refuses to build (listing 4.2: 12 → 6 → 0). ``source`` names the
document (S0–S4, CURRICULUM.md's legend) or "extra" for VGG-16, which none has.

>>> PRESETS["small_cnn"].expected_total
15120
>>> PRESETS["lenet_conv1"].layers[1].args["pool_size"]
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.layer_spec import LayerSpec, make_layer


@dataclass(frozen=True)
class Preset:
    """One reference network: what goes in, its layers, and Keras' total."""

    input_shape: tuple
    layers: tuple[LayerSpec, ...]
    source: str
    expected_total: int | None
    note: str


def _stack(*calls: tuple) -> tuple[LayerSpec, ...]:
    """Layers from ``(kind, *positional)`` or ``(kind, *positional, {keywords})``.

    >>> _stack(("Dense", 10, {"activation": "softmax"}))[0].args["units"]
    10
    """
    layers = []
    for kind, *rest in calls:
        keywords: dict[str, Any] = {}
        if rest and isinstance(rest[-1], dict):
            keywords = rest.pop()
        layers.append(make_layer(kind, tuple(rest), keywords))
    return tuple(layers)


RELU = {"activation": "relu"}
TANH = {"activation": "tanh"}
SOFTMAX = {"activation": "softmax"}
SAME = {"padding": "same"}


def _conv_block(filters: int, strides: int) -> tuple:
    """S0's full CNN repeats Conv2D 3×3 same → BatchNormalization → LeakyReLU."""
    return (("Conv2D", filters, 3, {"strides": strides, "padding": "same"}),
            ("BatchNormalization",), ("LeakyReLU",))


def _vgg_block(num_convs: int, filters: int) -> tuple:
    """VGG-16 repeats 3×3 same ReLU convolutions, then a 2×2 max pooling."""
    convs = (("Conv2D", filters, 3, {**SAME, **RELU}),) * num_convs
    return (*convs, ("MaxPooling2D", 2, 2))


_FULL_CNN = _stack(
    *_conv_block(32, 1), *_conv_block(32, 2), *_conv_block(64, 1),
    *_conv_block(64, 2),
    ("Flatten",), ("Dense", 128), ("BatchNormalization",), ("LeakyReLU",),
    ("Dropout", 0.5), ("Dense", 10), ("Activation", "softmax"))

_ALEXNET = _stack(
    ("Conv2D", 96, 11, {"strides": 4, **RELU}), ("MaxPooling2D", 3, 2),
    ("Conv2D", 256, 5, {**SAME, **RELU}), ("MaxPooling2D", 3, 2),
    ("Conv2D", 384, 3, {**SAME, **RELU}), ("Conv2D", 384, 3, {**SAME, **RELU}),
    ("Conv2D", 256, 3, {**SAME, **RELU}), ("MaxPooling2D", 3, 2),
    ("Flatten",), ("Dense", 4096, RELU), ("Dense", 4096, RELU),
    ("Dense", 1000, SOFTMAX))

_VGG16 = _stack(
    *_vgg_block(2, 64), *_vgg_block(2, 128), *_vgg_block(3, 256),
    *_vgg_block(3, 512), *_vgg_block(3, 512),
    ("Flatten",), ("Dense", 4096, RELU), ("Dense", 4096, RELU),
    ("Dense", 1000, SOFTMAX))

PRESETS: dict[str, Preset] = {
    "cifar_mlp": Preset(
        (32, 32, 3),
        _stack(("Flatten",), ("Dense", 200, RELU), ("Dense", 150, RELU),
               ("Dense", 10, SOFTMAX)),
        "S0", 646_260,
        "CIFAR-10 MLP: 614,600 + 30,150 + 1,510 parameters."),
    "small_cnn": Preset(
        (32, 32, 3),
        _stack(("Conv2D", 10, 4, {"strides": 2, **SAME}),
               ("Conv2D", 20, 3, {"strides": 2, **SAME}),
               ("Flatten",), ("Dense", 10, SOFTMAX)),
        "S0", 15_120,
        "Two strided convolutions: (16,16,10) 490, (8,8,20) 1,820, Dense 12,810."),
    "full_cnn": Preset(
        (32, 32, 3), _FULL_CNN, "S0", 592_554,
        "Four Conv2D → BatchNormalization → LeakyReLU blocks; 640 non-trainable "
        "(the batch norms' moving means and variances)."),
    "listing_4_2": Preset(
        (32, 32, 3),
        _stack(("Conv2D", 16, 9, {"strides": 2, "padding": "valid", **RELU}),
               ("Conv2D", 32, 7, {"padding": "valid", **RELU}),
               ("Conv2D", 64, 7, {"padding": "valid", **RELU}),
               ("Flatten",), ("Dense", 64, RELU), ("Dense", 10, SOFTMAX)),
        "S3", None,
        "Invalid on purpose: 32 → 12 → 6, then a 7×7 window no longer fits "
        "(6 − 7 + 1 = 0)."),
    "listing_4_3": Preset(
        (32, 32, 3),
        _stack(("Conv2D", 16, 3, {"strides": 2, **SAME, **RELU}),
               ("MaxPooling2D", 2, 2, SAME),
               ("Conv2D", 32, 3, {**SAME, **RELU}),
               ("MaxPooling2D", 2, 2, SAME),
               ("Flatten",), ("Dense", 64, RELU), ("Dense", 32, RELU),
               ("Dense", 10, SOFTMAX)),
        "S3", 40_330,
        "Listing 4.2 fixed with 'same' padding and pooling: 16 → 8 → 8 → 4."),
    "exercise_2": Preset(
        (64, 64, 3),
        _stack(("Conv2D", 16, 5, {"padding": "valid"}),
               ("MaxPooling2D", 3, 2, SAME),
               ("Conv2D", 32, 3, {**SAME, **RELU}),
               ("MaxPooling2D", 2, 2, SAME),
               ("Conv2D", 32, 3, {"strides": 2, **SAME, **RELU})),
        "S3", 15_104,
        "Exercise 2: the output is (8, 8, 32)."),
    "denoising_autoencoder": Preset(
        (784,),
        _stack(("Dense", 64, RELU), ("Dense", 32, RELU), ("Dense", 64, RELU),
               ("Dense", 784, TANH)),
        "S3", 105_392,
        "Encoder 784 → 64 → 32, decoder 32 → 64 → 784."),
    "fashion_mlp": Preset(
        (28, 28),
        _stack(("Flatten",), ("Dense", 300, RELU), ("Dense", 100, RELU),
               ("Dense", 10, SOFTMAX)),
        "S2", 266_610,
        "Fashion-MNIST MLP: 235,500 + 30,100 + 1,010 parameters."),
    "lenet_conv1": Preset(
        (32, 32, 3),
        _stack(("Conv2D", 6, 5), ("MaxPooling2D", 2, 2)),
        "S1", 456,
        "CONV1: (5·5·3 + 1)·6 = 456 → 28×28×6; POOL1: 0 → 14×14×6."),
    "dense_bottleneck": Preset(
        (8, 8, 256),
        _stack(("Flatten",), ("Dense", 1024)),
        "S3", 16_778_240,
        "The first Dense after the convolutions holds most of the parameters: "
        "(16,384 + 1)·1,024."),
    "lenet5": Preset(
        (32, 32, 1),
        _stack(("Conv2D", 6, 5, TANH), ("AveragePooling2D", 2),
               ("Conv2D", 16, 5, TANH), ("AveragePooling2D", 2),
               ("Flatten",), ("Dense", 120, TANH), ("Dense", 84, TANH),
               ("Dense", 10, SOFTMAX)),
        "S1", 61_706,
        "LeNet-5 (LeCun et al., 1998), with full connections between maps."),
    "alexnet": Preset(
        (227, 227, 3), _ALEXNET, "S1", 62_378_344,
        "AlexNet (Krizhevsky et al., 2012) on one device, without local "
        "response normalisation."),
    "vgg16": Preset(
        (224, 224, 3), _VGG16, "extra", 138_357_544,
        "VGG-16 (Simonyan & Zisserman, 2014): 13 convolutions 3×3, 3 Dense."),
    "rnn_forecaster": Preset(
        (None, 1),
        _stack(("LSTM", 32), ("Dense", 1)),
        "S3", 4_385,
        "A series of any length, one value per step → the next value."),
    "gru_sequences": Preset(
        (20, 8),
        _stack(("GRU", 16, {"return_sequences": True}), ("SimpleRNN", 8),
               ("Dense", 1)),
        "S1", 1_457,
        "Stacked recurrent layers: the GRU returns every step for the next RNN."),
}
