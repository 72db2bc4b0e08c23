"""The documents' denoising autoencoder (去噪自编码器, CURRICULUM §8), and its tools.

Pixels are scaled to [−1, 1] by (x − 128) / 128 and flattened to 784 numbers; the
model 784 → 64 → 32 → 64 → 784 (ReLU, tanh last) learns to map a corrupted digit
back to the clean one with MSE and Adam. Training goes through
``core.training.start_training`` (a background thread, live curves).

Restoring a digit on every pen stroke must be fast, so a trained model's weights
are copied once into ``DenseStack``, a NumPy forward pass (tested equal to
Keras' own output); the page then never calls Keras to draw.

>>> from core.architecture import summarize
>>> summarize((784,), autoencoder_layers()).total_params
105392
>>> digit = np.zeros((28, 28), np.uint8); digit[0, :3] = [0, 128, 255]
>>> from_symmetric(to_symmetric(digit))[0, :3].tolist()
[0, 128, 255]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.layer_spec import LayerSpec, make_layer
from core.shared_training import SharedTraining
from core.toy_datasets import mask_pixels

SIDE = 28
PIXELS = SIDE * SIDE
DOCUMENT_HIDDEN = (64, 32, 64)
EVAL_MASK_SEED = 2048  # the documents mask the test digits with this seed
CORRUPTIONS = ("mask", "gaussian", "salt_pepper", "erase")
# (low, high, default) of each corruption's amount.
AMOUNTS = {"mask": (0.0, 1.0, 0.5), "gaussian": (0.0, 1.0, 0.5),
           "salt_pepper": (0.0, 1.0, 0.2), "erase": (0.0, 1.0, 0.35)}
MAX_HIDDEN_LAYERS = 5
MAX_UNITS = 1024


@dataclass(frozen=True)
class DenoiserSettings:
    """How the autoencoder trains; the defaults are the documents' (Listing 4.1)."""

    hidden: tuple[int, ...] = DOCUMENT_HIDDEN
    epochs: int = 10
    keep_prob: float = 0.5  # p of the training masks
    batch_size: int = 64
    learning_rate: float = 0.001  # Keras' Adam default, as compile(optimizer='adam')
    seed: int = 0


def check_hidden(hidden: Sequence[int]) -> tuple[int, ...]:
    """The hidden widths as a tuple; 1 to 5 layers of 1 to 1,024 units.

    >>> check_hidden([64, 32, 64])
    (64, 32, 64)
    """
    hidden = tuple(int(units) for units in hidden)
    if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS or \
            not all(1 <= units <= MAX_UNITS for units in hidden):
        raise ValueError(f"Use 1 to {MAX_HIDDEN_LAYERS} hidden layers of 1 to "
                         f"{MAX_UNITS} units, got {hidden}.")
    return hidden


def autoencoder_layers(hidden: Sequence[int] = DOCUMENT_HIDDEN) -> list[LayerSpec]:
    """Dense(h, relu) for each hidden width, then Dense(784, tanh)."""
    layers = [make_layer("Dense", (units,), {"activation": "relu"})
              for units in check_hidden(hidden)]
    return layers + [make_layer("Dense", (PIXELS,), {"activation": "tanh"})]


def build_denoising_autoencoder(hidden: Sequence[int] = DOCUMENT_HIDDEN,
                                learning_rate: float = 0.001) -> Any:
    """The documents' autoencoder, compiled with loss "mse" and Adam.

    Layer names are fixed (dense, dense_1, …), not left to Keras' global counters, which
    Streamlit resets after every script run. Imports Keras.
    """
    from core.architecture import summarize
    from core.keras_build import build_keras_model
    from core.models import make_optimizer

    layers = autoencoder_layers(hidden)
    names = [row.name for row in summarize((PIXELS,), layers).rows]
    model = build_keras_model((PIXELS,), layers, names=names)
    model.compile(loss="mse", optimizer=make_optimizer("adam", learning_rate))
    return model


def to_symmetric(images: np.ndarray) -> np.ndarray:
    """uint8 digits (…×28×28) → float32 rows of 784 in [−1, 1): (x − 128) / 128."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.shape[-2:] != (SIDE, SIDE):
        raise ValueError(f"Expected uint8 28×28 digits, got {images.dtype} "
                         f"{images.shape}.")
    return ((images.astype(np.float32) - 128) / 128).reshape(-1, PIXELS)


def from_symmetric(values: np.ndarray) -> np.ndarray:
    """Rows in [−1, 1] → uint8 pixels (clipped): x · 128 + 128, shape kept."""
    return np.clip(np.rint(np.asarray(values) * 128 + 128), 0, 255).astype(np.uint8)


def corrupt(clean: np.ndarray, kind: str, amount: float,
            seed: int | None = 0) -> np.ndarray:
    """A corrupted copy of scaled digits (rows of 784 in [−1, 1]).

    Args:
        clean: float rows (n, 784) from ``to_symmetric``.
        kind: "mask" — the documents' Binomial(1, p) mask, ``amount`` = p, the
            chance a pixel is kept; a dropped pixel becomes 0 (mid-grey), as in
            the documents, which mask the scaled values. "gaussian" — add
            N(0, amount²). "salt_pepper" — a share ``amount`` of pixels set to
            −1 or +1. "erase" — a square of side ``amount`` · 28 over the ink set
            to the background (−1).
        amount: 0 to 1 (see ``AMOUNTS``).
        seed: the same seed gives the same corruption.

    Returns:
        float32 rows, clipped to [−1, 1].

    >>> digit = np.ones((1, 784), np.float32)
    >>> float(corrupt(digit, "mask", 0.0).max())
    0.0
    >>> float(corrupt(digit, "mask", 1.0).min())
    1.0
    """
    if kind not in CORRUPTIONS:
        raise ValueError(f"Unknown corruption {kind!r}; use one of "
                         f"{', '.join(CORRUPTIONS)}.")
    if not 0 <= amount <= 1:
        raise ValueError(f"The amount must be between 0 and 1, got {amount}.")
    clean = np.asarray(clean, dtype=np.float32).reshape(-1, PIXELS)
    rng = np.random.default_rng(seed)
    if kind == "mask":
        noisy = mask_pixels(clean, amount, seed)
    elif kind == "gaussian":
        noisy = clean + rng.normal(0, amount, clean.shape).astype(np.float32)
    elif kind == "salt_pepper":
        hit = rng.random(clean.shape) < amount
        noisy = np.where(hit, rng.choice([-1.0, 1.0], clean.shape), clean)
    else:
        noisy = np.stack([_erase(row, amount, rng) for row in clean])
    return np.clip(noisy, -1, 1).astype(np.float32)


def _erase(row: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Blank a square centred on a random ink pixel (anywhere if there is none)."""
    image = row.reshape(SIDE, SIDE).copy()
    side = round(amount * SIDE)
    if side == 0:
        return row
    ink = np.argwhere(image > 0)
    centre = ink[rng.integers(len(ink))] if len(ink) else rng.integers(SIDE, size=2)
    top = int(np.clip(centre[0] - side // 2, 0, SIDE - side))
    left = int(np.clip(centre[1] - side // 2, 0, SIDE - side))
    image[top:top + side, left:left + side] = -1
    return image.reshape(PIXELS)


def mse(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared error over all pixels (the training loss, per digit)."""
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for pixels in [−1, 1] (peak-to-peak 2).

    PSNR = 10 · log10(2² / MSE); identical pictures give +inf.

    >>> round(psnr(np.zeros(4), np.full(4, 0.2)), 2)
    20.0
    """
    error = mse(a, b)
    return math.inf if error == 0 else 10 * math.log10(4 / error)


_ACTIVATIONS = {"relu": lambda x: np.maximum(x, 0), "tanh": np.tanh,
                "linear": lambda x: x}


@dataclass(frozen=True)
class DenseStack:
    """A trained Dense-only network as NumPy weights: fast, thread-safe inference.

    Attributes:
        weights: (kernel, bias) per layer, read-only float32.
        activations: each layer's activation name ("relu", "tanh", "linear").
    """

    weights: tuple[tuple[np.ndarray, np.ndarray], ...]
    activations: tuple[str, ...]

    @classmethod
    def from_keras(cls, model: Any) -> DenseStack:
        """Copy a Sequential/functional Dense-only Keras model's weights."""
        weights, activations = [], []
        for layer in model.layers:
            if type(layer).__name__ == "InputLayer":
                continue
            kernel, bias = (np.array(w, dtype=np.float32) for w in layer.get_weights())
            kernel.flags.writeable = bias.flags.writeable = False
            weights.append((kernel, bias))
            activations.append(layer.get_config()["activation"])
        unknown = set(activations) - set(_ACTIVATIONS)
        if unknown:
            raise ValueError(f"DenseStack supports {sorted(_ACTIVATIONS)}, got "
                             f"{sorted(unknown)}.")
        return cls(tuple(weights), tuple(activations))

    @property
    def code_layer(self) -> int:
        """Index of the narrowest hidden layer: its output is the code."""
        widths = [kernel.shape[1] for kernel, _ in self.weights[:-1]] or [PIXELS]
        return int(np.argmin(widths))

    @property
    def code_size(self) -> int:
        return int(self.weights[self.code_layer][0].shape[1])

    def outputs(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for rows ``x`` (n, 784), float32."""
        values, found = np.asarray(x, dtype=np.float32).reshape(-1, PIXELS), []
        pairs = zip(self.weights, self.activations, strict=True)
        for (kernel, bias), activation in pairs:
            values = _ACTIVATIONS[activation](values @ kernel + bias)
            found.append(values)
        return found

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The reconstruction: rows (n, 784) in [−1, 1]."""
        return self.outputs(x)[-1]

    def encode(self, x: np.ndarray) -> np.ndarray:
        """The code (the narrowest layer's output), (n, code_size)."""
        return self.outputs(x)[self.code_layer]


@dataclass(frozen=True)
class Projection:
    """A 2-D PCA of codes: ``points`` (n, 2), and how to place new codes."""

    points: np.ndarray
    mean: np.ndarray
    components: np.ndarray  # (2, d), unit rows
    explained: tuple[float, float]  # share of the variance on each axis

    def place(self, codes: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(codes) - self.mean) @ self.components.T


def pca_2d(codes: np.ndarray) -> Projection:
    """Project codes on their two principal axes (SVD of the centred codes).

    Each axis' sign is fixed so its largest loading is positive (stable plots).

    >>> codes = np.array([[0., 0.], [2., 0.], [4., 0.]])
    >>> pca_2d(codes).points[:, 0].tolist()
    [-2.0, 0.0, 2.0]
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise ValueError(f"PCA needs at least 2 codes in rows, got {codes.shape}.")
    mean = codes.mean(axis=0)
    _, singular, rows = np.linalg.svd(codes - mean, full_matrices=False)
    components = np.zeros((2, codes.shape[1]))
    take = min(2, len(rows))
    components[:take] = rows[:take]
    for axis in range(take):
        if components[axis, np.argmax(np.abs(components[axis]))] < 0:
            components[axis] *= -1
    variance = singular ** 2
    total = variance.sum() or 1.0
    explained = tuple(float(v / total) for v in np.pad(variance[:2], (0, 2))[:2])
    projection = Projection(np.zeros((0, 2)), mean, components, explained)
    return Projection(projection.place(codes), mean, components, explained)


def training_pairs(images: np.ndarray, keep_prob: float,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(masked input, clean target) rows, as the documents train: one fixed mask."""
    clean = to_symmetric(images)
    return corrupt(clean, "mask", keep_prob, seed), clean


def start_denoiser_training(x_train: np.ndarray, x_val: np.ndarray,
                            settings: DenoiserSettings = DenoiserSettings(),
                            slots: Any = None) -> Any:
    """Train an autoencoder in the background (``core.training``); returns the job.

    Inputs are masked with p = ``settings.keep_prob`` (seed = settings.seed); the
    validation digits with the documents' other seed (2048), so validation loss
    measures masks the model never saw.
    """
    from core.training import start_training

    hidden = check_hidden(settings.hidden)
    x, y = training_pairs(x_train, settings.keep_prob, settings.seed)
    x_v, y_v = training_pairs(x_val, settings.keep_prob, EVAL_MASK_SEED)
    return start_training(
        lambda: build_denoising_autoencoder(hidden, settings.learning_rate),
        x, y, x_v, y_v, epochs=settings.epochs, batch_size=settings.batch_size,
        seed=settings.seed, slots=slots)


class SharedDenoiser(SharedTraining):
    """The server's one autoencoder (documents' settings), shared read-only.

    Once trained, ``stack()`` gives its weights as a ``DenseStack``, copied once.
    """

    def __init__(self, x_train: np.ndarray, x_val: np.ndarray,
                 settings: DenoiserSettings = DenoiserSettings()) -> None:
        self.x_train, self.x_val, self.settings = x_train, x_val, settings
        self._stack: DenseStack | None = None
        super().__init__(lambda: start_denoiser_training(self.x_train, self.x_val,
                                                         self.settings))

    def _forget(self) -> None:
        self._stack = None

    def stack(self) -> DenseStack | None:
        """The trained weights, or None until the training has finished."""
        with self._lock:
            if self._stack is None and self.job is not None and \
                    self.job.snapshot().status == "finished":
                self._stack = DenseStack.from_keras(self.job.model)
            return self._stack


@dataclass(frozen=True)
class Restoration:
    """One digit through corruption and the autoencoder, with the scores.

    ``clean``, ``noisy`` and ``restored`` are 28×28 float32 in [−1, 1]; ``code`` is
    the narrowest layer's output; MSE and PSNR compare with the clean digit.
    """

    clean: np.ndarray
    noisy: np.ndarray
    restored: np.ndarray
    code: np.ndarray
    mse_noisy: float
    mse_restored: float
    psnr_noisy: float
    psnr_restored: float


def restore_digit(stack: DenseStack, digit: np.ndarray, kind: str = "mask",
                  amount: float = 0.5, seed: int | None = EVAL_MASK_SEED
                  ) -> Restoration:
    """Corrupt a uint8 28×28 digit and restore it with NumPy weights (no Keras).

    >>> stack = DenseStack(((np.eye(784, dtype=np.float32), np.zeros(784,
    ...     np.float32)),), ("linear",))  # an identity "model"
    >>> result = restore_digit(stack, np.full((28, 28), 255, np.uint8), "mask", 1.0)
    >>> result.mse_noisy, result.psnr_restored
    (0.0, inf)
    """
    clean = to_symmetric(digit)
    noisy = corrupt(clean, kind, amount, seed)
    layers = stack.outputs(noisy)
    restored = layers[-1]
    code = layers[stack.code_layer] if len(layers) > 1 else layers[-1]
    return Restoration(
        clean.reshape(SIDE, SIDE), noisy.reshape(SIDE, SIDE),
        restored.reshape(SIDE, SIDE), code[0], mse(noisy, clean), mse(restored, clean),
        psnr(noisy, clean), psnr(restored, clean))
