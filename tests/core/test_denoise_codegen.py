"""The denoising autoencoder as a script: it parses, it is the documents' model with
the source's mistakes corrected, and it runs (on the offline MNIST digits, fed in
through a patched ``keras.datasets.mnist.load_data``) and restores digits.
"""

import ast
import contextlib
import io
import re

import matplotlib
import numpy as np
import pytest

from core.datasets import load_image_dataset
from core.denoise_codegen import denoising_script, script_file_name
from core.denoising import EVAL_MASK_SEED, corrupt, to_symmetric, training_pairs

DOCUMENTS = {"hidden": (64, 32, 64), "keep_prob": 0.5, "batch_size": 64,
             "epochs": 10, "learning_rate": 0.001, "seed": 0}


def make_script(**changes):
    return denoising_script(**{**DOCUMENTS, **changes})


def calls_in(script: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(script)) if isinstance(node, ast.Call)]


def call_names(script: str) -> set[str]:
    return {ast.unparse(call.func) for call in calls_in(script)}


def assignment(script: str, name: str) -> ast.expr:
    """The value assigned to ``name`` at the script's top level (the last one)."""
    values = [node.value for node in ast.parse(script).body
              if isinstance(node, ast.Assign)
              and any(isinstance(target, ast.Name) and target.id == name
                      for target in node.targets)]
    assert values, f"{name} is never assigned"
    return values[-1]


def keywords(call: ast.Call) -> dict[str, object]:
    return {word.arg: ast.literal_eval(word.value) for word in call.keywords
            if isinstance(word.value, ast.Constant)}


@pytest.mark.parametrize("changes", [
    {}, {"subset": 500}, {"hidden": (128,)}, {"hidden": (256, 8, 16, 8, 256)},
    {"keep_prob": 0.0}, {"keep_prob": 1.0}, {"seed": 42, "learning_rate": 0.01}])
def test_script_parses_for_any_setting(changes):
    script = make_script(**changes)
    ast.parse(script)
    assert "去噪自编码器" in script
    assert {"keras.utils.set_random_seed", "keras.datasets.mnist.load_data",
            "keras.Sequential", "keras.Input", "autoencoder.compile",
            "autoencoder.fit", "autoencoder.predict", "keras.optimizers.Adam",
            "plt.show"} <= call_names(script)


def test_script_has_the_documents_layers_loss_and_optimizer():
    script = make_script()
    dense = [([ast.literal_eval(arg) for arg in call.args], keywords(call))
             for call in calls_in(script) if ast.unparse(call.func) == "layers.Dense"]
    assert dense == [([64], {"activation": "relu"}), ([32], {"activation": "relu"}),
                     ([64], {"activation": "relu"}), ([784], {"activation": "tanh"})]
    assert 'layers.Dense(32, activation="relu")' in script  # as the documents write
    assert "keras.Input(shape=(784,))" in script
    assert 'loss="mse"' in script
    assert "keras.optimizers.Adam(learning_rate=0.001)" in script
    fit = next(call for call in calls_in(script)
               if ast.unparse(call.func) == "autoencoder.fit")
    assert [ast.unparse(arg) for arg in fit.args] == ["masked_x_train", "norm_x_train"]
    assert keywords(fit) == {"batch_size": 64, "epochs": 10}
    assert "(x_train - 128.0) / 128.0" in script and "x_train[:" not in script


def test_script_restores_masked_digits_masked_with_seed_2048():
    """The source predicted on the unmasked digits; ours on masked ones."""
    script = make_script(seed=0)
    predict = next(call for call in calls_in(script)
                   if ast.unparse(call.func) == "autoencoder.predict")
    assert ast.unparse(predict.args[0]) == "masked"
    masked = assignment(script, "masked")
    assert ast.unparse(masked.func) == "generate_masked_inputs"
    assert ast.unparse(masked.args[0]) == "clean"
    assert keywords(masked)["seed"] == EVAL_MASK_SEED == 2048
    training = assignment(script, "masked_x_train")
    assert keywords(training)["seed"] == 0  # seed 0 is a seed too
    assert ast.unparse(assignment(script, "clean")) == "norm_x_test[:10]"
    assert "norm_masked_x" not in script and "if seed:" not in script
    assert "keras.utils.set_random_seed(0)" in script


def test_script_uses_the_chosen_settings():
    script = make_script(hidden=(100, 10), keep_prob=0.3, batch_size=16, epochs=4,
                         learning_rate=0.005, seed=9, subset=700)
    assert 'layers.Dense(100, activation="relu")' in script
    assert 'layers.Dense(10, activation="relu")' in script
    assert "generate_masked_inputs(norm_x_train, 0.3, seed=9)" in script
    assert "generate_masked_inputs(clean, 0.3, seed=2048)" in script
    assert "batch_size=16, epochs=4" in script
    assert "Adam(learning_rate=0.005)" in script
    assert "keras.utils.set_random_seed(9)" in script
    assert "x_train[:700]" in script
    assert "x_test[:" not in script.replace("norm_x_test[:10]", "")  # all test digits


@pytest.mark.parametrize("bad", [
    {"keep_prob": -0.1}, {"keep_prob": 1.5}, {"batch_size": 0}, {"epochs": 0},
    {"learning_rate": 0.0}, {"learning_rate": -0.01}, {"learning_rate": float("nan")},
    {"hidden": ()}, {"hidden": (0,)}, {"hidden": (2048,)}, {"hidden": (8,) * 6}])
def test_bad_settings_raise_value_error(bad):
    with pytest.raises(ValueError):
        make_script(**bad)


def test_script_file_name():
    assert script_file_name() == "denoising_autoencoder.py"


def test_script_trains_and_restores_offline_mnist(monkeypatch):
    """3 epochs on 500 digits: enough to beat the masked input (1 epoch is not)."""
    keras = pytest.importorskip("keras")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mnist = load_image_dataset("mnist", allow_download=False)
    arrays = tuple(np.array(part) for part in (mnist.x_train, mnist.y_train,
                                               mnist.x_test, mnist.y_test))
    assert all(array.dtype == np.uint8 for array in arrays[::2])
    monkeypatch.setattr(keras.datasets.mnist, "load_data",
                        lambda *args, **kwargs: (arrays[:2], arrays[2:]))
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    script = make_script(epochs=3, subset=500)
    namespace: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "<generated>", "exec"), namespace)  # our own script
    plt.close("all")
    figures = dict(re.findall(r"^MSE (masked|restored)\s+vs clean: (\S+)$",
                              printed.getvalue(), re.MULTILINE))
    masked_error, restored_error = float(figures["masked"]), float(figures["restored"])
    print(f"script: MSE masked {masked_error:.4f} restored {restored_error:.4f}")
    assert restored_error < 0.8 * masked_error
    assert namespace["autoencoder"].count_params() == 105_392
    losses = namespace["history"].history["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0]
    # The script masks exactly as the app does: same seed, same pixels dropped.
    clean = to_symmetric(mnist.x_test[:10])
    np.testing.assert_allclose(namespace["masked"],
                               corrupt(clean, "mask", 0.5, EVAL_MASK_SEED), atol=1e-6)
    np.testing.assert_allclose(namespace["masked_x_train"],
                               training_pairs(mnist.x_train[:500], 0.5, 0)[0],
                               atol=1e-6)
