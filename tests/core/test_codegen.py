"""'Show me the code' scripts run, and compute what the page shows."""

import contextlib
import io

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.codegen import keras_activation_code, numpy_activation_code, softmax_code

CURVES = sorted(n for n, a in ACTIVATIONS.items() if a.elementwise)
SETTINGS = [{}, {"leaky_relu": {"negative_slope": 0.01}, "elu": {"alpha": 2.0},
                 "gelu": {"approximate": True}}]


def run_script(code: str) -> tuple[dict, str]:
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<generated>", "exec"), namespace)  # our own generated code
    return namespace, out.getvalue()


@pytest.mark.parametrize("params", SETTINGS)
def test_numpy_script_defines_functions_equal_to_core(params):
    namespace, printed = run_script(numpy_activation_code(CURVES, params, -4, 4))
    x = np.linspace(-8, 8, 161)
    for name in CURVES:
        kwargs = {k: v for k, v in params.get(name, {}).items() if k != "approximate"}
        core_params = params.get(name, {})
        with np.errstate(over="ignore"):  # the plain textbook formulas, on purpose
            ours = namespace[name](x, **kwargs)
            derivative = namespace[f"{name}_derivative"](x, **kwargs)
        np.testing.assert_allclose(ours, ACTIVATIONS[name].fn(x, **core_params),
                                   atol=1e-12, err_msg=name)
        np.testing.assert_allclose(
            derivative, ACTIVATIONS[name].derivative(x, **core_params), atol=1e-12,
            err_msg=name)
        assert f"{name} derivative" in printed


@pytest.mark.parametrize("name", CURVES)
def test_keras_script_runs_for_every_activation(name):
    params = {"leaky_relu": {"negative_slope": 0.05}, "elu": {"alpha": 0.5},
              "gelu": {"approximate": True}}.get(name)
    _, printed = run_script(keras_activation_code(name, params))
    assert "f(x)" in printed and "Total params" in printed


def test_softmax_script_agrees_with_core():
    logits, temperature = [3.0, -1.0, 0.5, 0.5], 0.7
    _, printed = run_script(softmax_code(logits, temperature))
    numpy_line, keras_line = printed.strip().splitlines()
    expected = ACTIVATIONS["softmax"].fn(np.array(logits), temperature=temperature)
    for line in (numpy_line, keras_line):
        values = np.array(line.split("[", 1)[1].rstrip("]").split(), dtype=float)
        np.testing.assert_allclose(values, expected, atol=1e-4)


@pytest.mark.parametrize("stride, padding, pool_mode", [
    (1, "same", "max"), (2, "valid", "average"), (3, "same", "max")])
def test_convolution_scripts_compute_what_the_page_shows(stride, padding, pool_mode):
    from core.conv_codegen import keras_conv_code, numpy_conv_code
    from core.convolution import KERNELS, conv2d, pool2d

    kernel = KERNELS["sobel_x"]
    keras_ns, printed = run_script(keras_conv_code("coffee", 64, kernel, stride,
                                                   padding, pool_mode, 2, 2))
    image = keras_ns["image"]
    ours = conv2d(image, kernel, stride, padding)
    np.testing.assert_allclose(keras_ns["feature_map"], ours, atol=1e-4)
    np.testing.assert_allclose(keras_ns["pooled"][0, :, :, 0],
                               pool2d(ours, 2, 2, "valid", pool_mode), atol=1e-4)
    assert "feature map" in printed
    numpy_ns, _ = run_script(numpy_conv_code("coffee", 64, kernel, stride, padding))
    np.testing.assert_allclose(numpy_ns["feature_map"], ours, atol=1e-5)
