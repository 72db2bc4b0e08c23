"""Keras/TensorFlow are the oracle for core tests: load them once per session."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def refusal(data: bytes, **limits):
    """The ImageError read_image raises for ``data`` (it must raise one)."""
    import pytest

    from core.imaging import ImageError, read_image

    with pytest.raises(ImageError) as caught:
        read_image(data, **limits)
    assert str(caught.value)  # a readable message, never empty
    return caught.value
