"""Our NumPy convolution and pooling against tf.nn.conv2d / max_pool2d / avg_pool2d."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core.convolution import (
    DOCUMENT_PATCHES,
    KERNELS,
    ConvolutionError,
    conv2d,
    convolution_step,
    normalise_kernel,
    output_size,
    pool2d,
    same_padding,
)

floats = st.floats(-2, 2, width=32, allow_subnormal=False)


@st.composite
def conv_case(draw):
    """An image (2-D or H×W×C), a kernel that fits, a stride and a padding."""
    height, width = draw(st.integers(1, 13)), draw(st.integers(1, 13))
    channels = draw(st.sampled_from([None, 1, 3]))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    padding = draw(st.sampled_from(["valid", "same"]))
    if padding == "valid":
        assume(kh <= height and kw <= width)
    shape = (height, width) if channels is None else (height, width, channels)
    image = draw(hnp.arrays(np.float32, shape, elements=floats))
    filters = draw(st.sampled_from([None, 1, 4])) if channels else None
    kshape = ((kh, kw) if channels is None else
              (kh, kw, channels) if filters is None else (kh, kw, channels, filters))
    kernel = draw(hnp.arrays(np.float32, kshape, elements=floats))
    return image, kernel, draw(st.integers(1, 4)), padding


def tf_conv(image, kernel, stride, padding):
    x = image if image.ndim == 3 else image[..., None]
    k = kernel
    if kernel.ndim == 2:
        k = kernel[:, :, None, None]
    elif kernel.ndim == 3:
        k = kernel[..., None]
    out = tf.nn.conv2d(x[None], k, strides=stride, padding=padding.upper())[0].numpy()
    return out[..., 0] if kernel.ndim < 4 else out


@settings(max_examples=150, deadline=None)
@given(conv_case())
def test_conv2d_matches_tensorflow(case):
    image, kernel, stride, padding = case
    ours = conv2d(image, kernel, stride, padding)
    np.testing.assert_allclose(ours, tf_conv(image, kernel, stride, padding),
                               rtol=1e-4, atol=1e-4)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 13), st.integers(1, 13), st.sampled_from([None, 1, 3]),
       st.integers(1, 4), st.integers(1, 4), st.sampled_from(["valid", "same"]),
       st.sampled_from(["max", "average"]), st.data())
def test_pool2d_matches_tensorflow(height, width, channels, size, stride, padding,
                                   mode, data):
    if padding == "valid":
        assume(size <= height and size <= width)
    shape = (height, width) if channels is None else (height, width, channels)
    image = data.draw(hnp.arrays(np.float32, shape, elements=floats))
    x = (image if image.ndim == 3 else image[..., None])[None]
    pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    theirs = pool(x, size, stride, padding.upper())[0].numpy()
    theirs = theirs if image.ndim == 3 else theirs[..., 0]
    ours = pool2d(image, size, stride, padding, mode)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@given(st.integers(1, 300), st.integers(1, 11), st.integers(1, 5))
def test_output_size_and_same_padding_follow_the_formula(n, f, stride):
    if f <= n:
        assert output_size(n, f, stride, "valid") == (n - f) // stride + 1
    before, after = same_padding(n, f, stride)
    assert after - before in (0, 1)
    assert (n + before + after - f) // stride + 1 == output_size(n, f, stride, "same")


def test_the_documents_figures():
    assert output_size(7, 3) == 5 and output_size(7, 5) == 3
    assert output_size(5, 3, padding="same") == 5 and same_padding(5, 3) == (1, 1)
    assert output_size(64, 3, 2, "valid") == 31 and output_size(64, 3, 2, "same") == 32


def test_the_documents_two_patches():
    kernel = KERNELS["horizontal_edge"]
    first, printed_first = DOCUMENT_PATCHES["first"]
    second, printed_second = DOCUMENT_PATCHES["second"]
    assert convolution_step(first, kernel, 0, 0).total == pytest.approx(2.8)
    assert printed_first == pytest.approx(2.8)
    # The source prints −0.1; (−0.7 + 0.6 + 0.2) − (−0.3 − 0.4 + 0.5) = 0.3.
    assert convolution_step(second, kernel, 0, 0).total == pytest.approx(0.3)
    assert printed_second != pytest.approx(0.3)


def test_vertical_edge_is_the_transpose_as_documented():
    horizontal, vertical = KERNELS["horizontal_edge"], KERNELS["vertical_edge"]
    np.testing.assert_array_equal(vertical, horizontal.T)


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 9), st.integers(3, 9), st.integers(1, 3),
       st.sampled_from(["valid", "same"]), st.data())
def test_every_step_reproduces_its_output_pixel(height, width, stride, padding, data):
    image = data.draw(hnp.arrays(np.float64, (height, width), elements=floats))
    kernel = KERNELS["sobel_x"]
    feature_map = conv2d(image, kernel, stride, padding)
    row = data.draw(st.integers(0, feature_map.shape[0] - 1))
    col = data.draw(st.integers(0, feature_map.shape[1] - 1))
    step = convolution_step(image, kernel, row, col, stride, padding)
    assert step.total == pytest.approx(feature_map[row, col], abs=1e-9)
    np.testing.assert_allclose(step.products, step.patch * kernel)


@pytest.mark.parametrize("image, kernel, stride, padding, code", [
    (np.zeros((4, 4)), np.ones((5, 5)), 1, "valid", "kernel_too_large"),
    (np.zeros((4, 4)), np.ones((3, 3)), 0, "valid", "bad_stride"),
    (np.zeros((4, 4, 3)), np.ones((3, 3, 2)), 1, "valid", "channel_mismatch"),
    (np.zeros((4, 4)), np.ones((3, 3)), 1, "full", "bad_padding"),
])
def test_impossible_convolutions_raise_a_coded_error(image, kernel, stride, padding,
                                                    code):
    with pytest.raises(ConvolutionError) as error:
        conv2d(image, kernel, stride, padding)
    assert error.value.code == code


def test_normalised_kernels_keep_responses_in_range():
    blur = normalise_kernel(np.ones((3, 3)))
    assert blur.sum() == pytest.approx(1.0)
    edge = normalise_kernel(KERNELS["horizontal_edge"])
    step_edge = np.vstack([np.ones((3, 5)), np.zeros((3, 5))])
    assert np.abs(conv2d(step_edge, edge)).max() == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_every_preset_on_a_real_photo_matches_tensorflow(name):
    from skimage.data import camera

    image = (camera()[::2, ::2] / 255.0).astype(np.float32)  # 256×256
    kernel = KERNELS[name].astype(np.float32)
    np.testing.assert_allclose(conv2d(image, kernel, 1, "same"),
                               tf_conv(image, kernel, 1, "same"), atol=1e-4)
