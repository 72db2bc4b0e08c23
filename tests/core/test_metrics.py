"""Confusion matrix and per-class accuracy, checked against scikit-learn."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as sk

from core.metrics import confusion_matrix, per_class_accuracy


@st.composite
def labelled(draw):
    """(y_true, y_pred, num_classes): same length, classes may be missing."""
    num_classes = draw(st.integers(1, 12))
    size = draw(st.integers(0, 200))
    labels = st.lists(st.integers(0, num_classes - 1), min_size=size, max_size=size)
    return (np.array(draw(labels), dtype=np.int64),
            np.array(draw(labels), dtype=np.int64), num_classes)


@pytest.mark.filterwarnings("ignore:A single label:UserWarning")  # sklearn's, K=1
@given(labelled())
def test_confusion_matrix_matches_sklearn(case):
    y_true, y_pred, num_classes = case
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    assert matrix.dtype == np.int64 and matrix.shape == (num_classes, num_classes)
    if y_true.size:  # sklearn refuses empty inputs
        expected = sk.confusion_matrix(y_true, y_pred, labels=range(num_classes))
        np.testing.assert_array_equal(matrix, expected)
    assert matrix.sum() == y_true.size


@given(labelled())
def test_per_class_accuracy_is_sklearn_recall(case):
    y_true, y_pred, num_classes = case
    accuracy = per_class_accuracy(confusion_matrix(y_true, y_pred, num_classes))
    present = np.bincount(y_true, minlength=num_classes) > 0
    assert np.isnan(accuracy[~present]).all()
    if y_true.size:
        recall = sk.recall_score(y_true, y_pred, labels=range(num_classes),
                                 average=None, zero_division=np.nan)
        np.testing.assert_allclose(accuracy[present], recall[present])


def test_float_labels_from_argmax_or_keras_are_accepted():
    matrix = confusion_matrix(np.array([0.0, 1.0]), np.array([1, 1]), 2)
    assert matrix.tolist() == [[0, 1], [0, 1]]


@pytest.mark.parametrize(("y_true", "y_pred", "num_classes", "match"), [
    ([0, 1], [0], 2, "each sample"),
    ([0, 3], [0, 1], 3, "only 3 classes"),
    ([-1, 0], [0, 0], 2, "only 2 classes"),
    ([[0.2, 0.8]], [1], 2, "argmax"),
    ([0.5], [0], 2, "whole class indices"),
    ([0], [0], 0, "num_classes"),
])
def test_bad_labels_get_a_message_a_student_can_act_on(y_true, y_pred, num_classes,
                                                      match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(y_true, y_pred, num_classes)


def test_per_class_accuracy_needs_a_square_matrix():
    with pytest.raises(ValueError, match="square"):
        per_class_accuracy(np.zeros((2, 3)))
