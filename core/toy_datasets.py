"""Small synthetic 2-D datasets for the playground, the documents' pixel masking,
and scaling images for a model.

``core.datasets`` re-exports everything here, so callers may import from either.
"""

from __future__ import annotations

import numpy as np

TOY_DATASETS = ("circle", "xor", "gaussian", "spiral", "moons", "spiral3", "blobs3")


def _rotate(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def _toy_points(name: str, y: np.ndarray, rank: np.ndarray, rng) -> np.ndarray:
    """Noise-free points for labels ``y``; ``rank`` is each point's place (0..1)."""
    n = len(y)
    if name == "circle":  # Class 1 inside radius 0.5, class 0 in the ring 0.7..1.
        radius = np.where(y == 1, rng.uniform(0, 0.5, n), rng.uniform(0.7, 1, n))
        return _rotate(radius, rng.uniform(0, 2 * np.pi, n))
    if name == "xor":  # Class 1 in the quadrants where x·y > 0.
        signs = rng.choice([-1.0, 1.0], n)
        size = rng.uniform(0.05, 1, (n, 2))
        return size * np.stack([signs, np.where(y == 1, signs, -signs)], axis=1)
    if name in ("spiral", "spiral3"):  # Arms of 1.75 turns, one per class.
        arms = 2 if name == "spiral" else 3
        angle = 1.75 * 2 * np.pi * rank + 2 * np.pi * y / arms
        return _rotate(0.05 + 0.9 * rank, angle)
    if name == "moons":  # Two interleaved half circles, as in scikit-learn.
        angle = rng.uniform(0, np.pi, n)
        upper = np.stack([np.cos(angle) - 0.5, np.sin(angle) - 0.25], axis=1)
        lower = np.stack([0.5 - np.cos(angle), 0.25 - np.sin(angle)], axis=1)
        return np.where((y == 0)[:, None], upper, lower) / 1.5
    if name == "gaussian":
        centres = np.array([[-0.5, -0.5], [0.5, 0.5]])
    else:  # blobs3: three centres on a circle of radius 0.55.
        centres = _rotate(np.full(3, 0.55), np.radians([90, 210, 330]))
    return centres[y]


def make_toy_dataset(name: str, n: int = 200, noise: float = 0.1,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D points in about [−1, 1]² with class labels, like TensorFlow Playground's.

    Classes are as equal in size as n allows; ``noise`` jitters each coordinate by up
    to ±noise (gaussian/blobs3: standard deviation 0.12 + 0.4·noise); points are
    clipped to [−1.5, 1.5] so fixed plot axes show them all.

    Args:
        name: "circle", "xor", "gaussian", "spiral", "moons" (2 classes),
            "spiral3" or "blobs3" (3 classes).
        n: Number of points (at least the number of classes, at most 100,000).
        noise: Amount of noise, 0 to 1.
        seed: Seed; the same arguments always give the same points.

    Returns:
        ``(X, y)``: float32 array (n, 2) and int64 labels (n,).

    Raises:
        ValueError: Unknown name, or n or noise out of range.

    >>> X, y = make_toy_dataset("xor", n=100, seed=1)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((100, 2), dtype('float32'), [50, 50])
    """
    if name not in TOY_DATASETS:
        raise ValueError(f"Unknown toy dataset {name!r}. Choose one of "
                         f"{', '.join(TOY_DATASETS)}.")
    num_classes = 3 if name.endswith("3") else 2
    if not num_classes <= n <= 100_000:
        raise ValueError(f"n must be between {num_classes} and 100,000, not {n}.")
    if not 0 <= noise <= 1:
        raise ValueError(f"noise must be between 0 and 1, not {noise}.")
    rng = np.random.default_rng(seed)
    sizes = [n // num_classes + (c < n % num_classes) for c in range(num_classes)]
    y = np.repeat(np.arange(num_classes), sizes)
    rank = np.concatenate([np.arange(size) / max(size - 1, 1) for size in sizes])
    X = _toy_points(name, y, rank, rng)
    if name in ("gaussian", "blobs3"):
        X = X + rng.normal(0, 0.12 + 0.4 * noise, X.shape)
    else:
        X = X + rng.uniform(-noise, noise, X.shape)
    order = rng.permutation(n)
    return np.clip(X[order], -1.5, 1.5).astype(np.float32), y[order].astype(np.int64)


def mask_pixels(x: np.ndarray, keep_prob: float, seed: int | None = None) -> np.ndarray:
    """Keeps each value with probability ``keep_prob`` and zeroes the rest.

    The documents' ``generate_masked_inputs``: mask = Binomial(1, keep_prob), x · mask.

    Args:
        x: Any array (e.g. uint8 images).
        keep_prob: Chance that a value survives, 0 to 1.
        seed: Seed of the mask; the same seed gives the same mask.

    Returns:
        A new array of ``x``'s shape and dtype.

    Raises:
        ValueError: keep_prob outside [0, 1].

    >>> mask_pixels(np.full((2, 3), 7, np.uint8), keep_prob=1.0, seed=0).tolist()
    [[7, 7, 7], [7, 7, 7]]
    """
    if not 0 <= keep_prob <= 1:
        raise ValueError(f"keep_prob must be between 0 and 1, not {keep_prob}.")
    x = np.asarray(x)
    mask = np.random.default_rng(seed).binomial(1, keep_prob, x.shape)
    return x * mask.astype(x.dtype)


def to_model_input(x: np.ndarray, scale: str = "unit",
                   channels: bool = False) -> np.ndarray:
    """Turns a batch of uint8 images into float32 model input.

    "unit": x / 255, in [0, 1]; "symmetric": (x − 128) / 128, in [−1, 127/128].

    Args:
        x: uint8 batch, N×H×W (grayscale) or N×H×W×C.
        scale: "unit" or "symmetric".
        channels: Add a channel axis to a grayscale batch (N×H×W → N×H×W×1).

    Returns:
        A new float32 array.

    Raises:
        ValueError: x is not a uint8 batch of 3 or 4 axes, or scale is unknown.

    >>> to_model_input(np.array([[[0, 255]]], np.uint8), channels=True).shape
    (1, 1, 2, 1)
    """
    x = np.asarray(x)
    if x.dtype != np.uint8 or x.ndim not in (3, 4):
        raise ValueError(f"Expected a uint8 batch N×H×W or N×H×W×C, got {x.dtype} "
                         f"with shape {x.shape}.")
    if scale not in ("unit", "symmetric"):
        raise ValueError(f"scale must be 'unit' or 'symmetric', not {scale!r}.")
    floats = x.astype(np.float32)
    floats = floats / 255 if scale == "unit" else (floats - 128) / 128
    return floats[..., None] if channels and x.ndim == 3 else floats
