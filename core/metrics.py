"""Classification metrics for the Training lab: confusion matrix, per-class accuracy.

Pure NumPy (no Keras, no UI), so the page can score predictions it already has.

>>> m = confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], num_classes=4)
>>> m.tolist()
[[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
>>> per_class_accuracy(m).round(2).tolist()
[0.5, 1.0, 0.5, nan]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["confusion_matrix", "per_class_accuracy"]


def _class_indices(labels: ArrayLike, name: str, num_classes: int) -> np.ndarray:
    """``labels`` as a 1-D int64 array of indices in [0, num_classes)."""
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be one class index per sample (a 1-D array), got shape "
            f"{array.shape}; for probabilities use np.argmax(probabilities, axis=1).")
    if array.size and not np.all(np.equal(np.mod(array, 1), 0)):
        raise ValueError(f"{name} must hold whole class indices, got {array[:5]}…")
    indices = array.astype(np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise ValueError(
            f"{name} holds class {int(indices.min())}…{int(indices.max())}, but "
            f"there are only {num_classes} classes (0…{num_classes - 1}).")
    return indices


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike,
                     num_classes: int) -> np.ndarray:
    """Count each (true class, predicted class) pair: ``M[i, j] = #{y=i, ŷ=j}``.

    Args:
        y_true: the true class index of each sample (1-D).
        y_pred: the predicted class index of each sample (1-D, same length).
        num_classes: the number of classes; the matrix is num_classes × num_classes
            even when some classes never occur.

    Returns:
        An int64 matrix, rows = true class, columns = predicted class (the layout
        of ``sklearn.metrics.confusion_matrix``). The diagonal holds the hits.

    Raises:
        ValueError: labels that are not 1-D class indices in [0, num_classes), or
            arrays of different lengths.

    >>> confusion_matrix([1, 1], [1, 0], num_classes=2).tolist()
    [[0, 0], [1, 1]]
    """
    if int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(
            f"num_classes must be a whole number ≥ 1, got {num_classes!r}.")
    num_classes = int(num_classes)
    true = _class_indices(y_true, "y_true", num_classes)
    pred = _class_indices(y_pred, "y_pred", num_classes)
    if true.shape != pred.shape:
        raise ValueError(f"y_true has {true.size} labels but y_pred has {pred.size}; "
                         "each sample needs exactly one prediction.")
    # One bincount over the pair index i·K + j is a single pass, unlike a Python loop.
    counts = np.bincount(true * num_classes + pred, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def per_class_accuracy(matrix: ArrayLike) -> np.ndarray:
    """The share of each true class predicted correctly: ``M[i, i] / Σ_j M[i, j]``.

    Args:
        matrix: a confusion matrix, rows = true class (from ``confusion_matrix``).

    Returns:
        A float64 array, one value in [0, 1] per class; NaN for a class with no
        samples (0 of 0 is not 0 %: there is nothing to score).

    Raises:
        ValueError: a matrix that is not square.

    >>> per_class_accuracy([[3, 1], [0, 0]]).tolist()
    [0.75, nan]
    """
    counts = np.asarray(matrix, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError("A confusion matrix is square (classes × classes), got "
                         f"shape {counts.shape}.")
    totals = counts.sum(axis=1)
    hits = np.diagonal(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, hits / totals, np.nan)
