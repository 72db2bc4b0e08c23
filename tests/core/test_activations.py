"""Our NumPy activations against Keras (f) and tf.GradientTape (f′)."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core.activations import ACTIVATIONS, resolve_params, softmax_jacobian

ELEMENTWISE_KERAS = sorted(
    n for n, a in ACTIVATIONS.items() if a.elementwise and a.keras_name
)

KINKED = {"elu", "selu"}

xs = hnp.arrays(
    np.float32, hnp.array_shapes(min_dims=1, max_dims=2, max_side=16),
    elements=st.floats(-30, 30, width=32, allow_subnormal=False),  # TF flushes them
)


@st.composite
def params_for(draw, name):
    """Random valid parameters for one activation."""
    strategies = {
        "negative_slope": st.floats(0.0, 1.0),
        "alpha": st.floats(0.1, 3.0),
        "approximate": st.booleans(),
        "temperature": st.floats(0.1, 10.0),
    }
    return {k: draw(strategies[k]) for k in ACTIVATIONS[name].params}


def keras_fn(name, x, params):
    return keras.activations.get(ACTIVATIONS[name].keras_name)(x, **params)


def test_registry_has_the_fourteen_keras_names():
    assert sorted(ACTIVATIONS) == sorted([
        "linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
        "softplus", "softsign", "swish", "gelu", "hard_sigmoid", "softmax"])
    for activation in ACTIVATIONS.values():
        assert activation.formula and activation.derivative_formula
        assert activation.range.low < activation.range.high


@settings(max_examples=60, deadline=None)
@given(data=st.data(), name=st.sampled_from(ELEMENTWISE_KERAS), x=xs)
def test_function_matches_keras(data, name, x):
    params = data.draw(params_for(name))
    ours = ACTIVATIONS[name].fn(x, **params)
    theirs = keras.ops.convert_to_numpy(keras_fn(name, tf.constant(x), params))
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), name=st.sampled_from(ELEMENTWISE_KERAS), x=xs)
def test_derivative_matches_gradient_tape(data, name, x):
    params = data.draw(params_for(name))
    tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(tensor)
        y = keras_fn(name, tensor, params)
    theirs = tape.gradient(y, tensor).numpy()
    ours = ACTIVATIONS[name].derivative(x, **params)
    if name in KINKED:
        # TF picks these gradients' branch from the float32 *output*, which rounds
        # to 0 for |x| < ~1e-7; at such x the derivative jumps, so compare elsewhere.
        near_kink = (np.abs(x) < 1e-6) & (x != 0)
        ours, theirs = ours[~near_kink], theirs[~near_kink]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(ACTIVATIONS)), x=xs)
def test_outputs_stay_in_the_stated_range(data, name, x):
    params = data.draw(params_for(name))
    y = ACTIVATIONS[name].fn(x, **params)
    bounds = ACTIVATIONS[name].output_range(**params)
    assert np.all(np.isfinite(y))
    assert np.all(y >= bounds.low - 1e-9) and np.all(y <= bounds.high + 1e-9)


def test_step_by_hand():
    step = ACTIVATIONS["step"]
    x = np.array([-3.0, -1e-30, 0.0, 1e-30, 2.0])
    assert step.fn(x).tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert step.derivative(x).tolist() == [0.0] * 5


def test_sigmoid_known_values_by_hand():
    sigmoid = ACTIVATIONS["sigmoid"]
    assert sigmoid.fn(np.array(0.0)) == 0.5
    assert math.isclose(float(sigmoid.fn(np.array(2.0))), 1 / (1 + math.exp(-2)))
    assert sigmoid.derivative(np.array(0.0)) == 0.25
    # Saturation: at |x| = 10 the gradient is below 5e-5 (梯度消失).
    assert sigmoid.derivative(np.array([-10.0, 10.0])).max() < 5e-5


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float32, st.tuples(st.integers(1, 4), st.integers(2, 8)),
                    elements=st.floats(-20, 20, width=32, allow_subnormal=False)),
       temperature=st.floats(0.1, 10.0))
def test_softmax_matches_keras_and_its_jacobian_matches_tape(x, temperature):
    softmax = ACTIVATIONS["softmax"]
    ours = softmax.fn(x, temperature=temperature)
    theirs = keras.activations.softmax(tf.constant(x) / temperature).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(tensor)
        y = keras.activations.softmax(tensor / temperature)
    jacobians = tape.batch_jacobian(y, tensor).numpy()
    np.testing.assert_allclose(
        softmax.derivative(x, temperature=temperature),
        np.diagonal(jacobians, axis1=1, axis2=2), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(
        softmax_jacobian(x[0], temperature), jacobians[0], rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("scale", [1e3, 1e4, 1e6])
def test_softmax_is_stable_for_large_inputs(scale):
    x = np.array([1.0, 2.0, 3.0])
    big = ACTIVATIONS["softmax"].fn(x * scale)
    assert np.all(np.isfinite(big)) and math.isclose(big.sum(), 1.0)
    assert big.argmax() == 2
    shifted = ACTIVATIONS["softmax"].fn(x + scale)  # shift-invariant
    np.testing.assert_allclose(shifted, ACTIVATIONS["softmax"].fn(x), rtol=1e-9)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_huge_inputs_never_overflow(name):
    x = np.array([-1e6, -100.0, 0.0, 100.0, 1e6])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = ACTIVATIONS[name].fn(x)
        dy = ACTIVATIONS[name].derivative(x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy))


def test_resolve_params_rejects_bad_parameters():
    assert resolve_params("elu", {"alpha": 2.0}) == {"alpha": 2.0}
    with pytest.raises(ValueError, match="no parameter"):
        resolve_params("relu", {"alpha": 1.0})
    with pytest.raises(ValueError, match="greater than 0"):
        resolve_params("softmax", {"temperature": 0.0})
