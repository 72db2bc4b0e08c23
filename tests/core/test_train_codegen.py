"""The "show me the code" training script parses for every setting, and runs."""

import ast
import contextlib
import io

import matplotlib
import pytest

from core.architecture import summarize
from core.models import LOSSES, OPTIMIZERS, ModelChoice, model_layers
from core.train_codegen import script_file_name, training_script

SHAPES = {"digits": (8, 8), "mnist": (28, 28)}
CHOICES = {"mlp": ModelChoice("mlp", hidden_sizes=(16,)),
           "cnn": ModelChoice("cnn", conv_filters=(4,), dropout_rate=0.2)}


def make_script(dataset="digits", kind="mlp", l1=0.0, l2=0.0, optimizer="adam",
                loss="sparse_categorical_crossentropy", epochs=1, subset=None,
                validation_split=0.2):
    shape = SHAPES[dataset] + ((1,) if kind == "cnn" else ())
    layers = model_layers(CHOICES[kind], shape, 10)
    return training_script(dataset, subset, shape, 10, layers, l1, l2, optimizer,
                           0.01, loss, 32, epochs, validation_split, 7), layers


def calls_in(script: str) -> set[str]:
    """Dotted names of everything the script calls, e.g. keras.optimizers.SGD."""
    return {ast.unparse(node.func) for node in ast.walk(ast.parse(script))
            if isinstance(node, ast.Call)}


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dataset", ["digits", "mnist"])
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_script_parses_and_uses_the_settings(optimizer, loss, dataset, kind):
    script, _ = make_script(dataset, kind, optimizer=optimizer, loss=loss)
    calls = calls_in(script)
    expected_class = {"sgd": "SGD", "momentum": "SGD", "rmsprop": "RMSprop",
                      "adam": "Adam"}[optimizer]
    assert f"keras.optimizers.{expected_class}" in calls
    assert ("momentum=0.9" in script) == (optimizer == "momentum")
    assert ("keras.utils.to_categorical" in calls) == (
        loss == "categorical_crossentropy")
    assert f'loss="{loss}"' in script
    loader = "load_digits" if dataset == "digits" else "keras.datasets.mnist.load_data"
    assert loader in calls
    assert ("layers.Conv2D" in calls) == (kind == "cnn")
    assert {"keras.utils.set_random_seed", "model.fit", "model.evaluate",
            "model.predict", "np.argmax", "plt.show"} <= calls
    assert "ylim=(0, 1)" in script and "kernel_regularizer" not in script


@pytest.mark.parametrize(("l1", "l2"), [(0.01, 0.0), (0.0, 0.001), (0.01, 0.001)])
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_penalty_goes_on_every_dense_and_conv_kernel(l1, l2, kind):
    script, layers = make_script("mnist", kind, l1=l1, l2=l2, subset=500)
    ast.parse(script)
    assert f"keras.regularizers.L1L2(l1={l1!r}, l2={l2!r})" in script
    regularized = sum(spec.kind in ("Dense", "Conv2D") for spec in layers)
    assert script.count("kernel_regularizer=regularizer") == regularized
    assert "x_train[:500]" in script and "x_test[:100]" in script


def test_cifar_script_keeps_colour_and_flattens_labels():
    layers = model_layers(CHOICES["cnn"], (32, 32, 3), 10)
    script = training_script("cifar10", None, (32, 32, 3), 10, layers, 0, 0, "sgd",
                             0.01, "sparse_categorical_crossentropy", 32, 1, 0.1, 0)
    ast.parse(script)
    assert "keras.Input(shape=(32, 32, 3))" in script
    assert "np.newaxis" not in script and ".ravel()" in script
    assert '"airplane"' in script


@pytest.mark.parametrize("bad", [
    {"dataset": "svhn"}, {"input_shape": (28, 28)}, {"optimizer": "adagrad"},
    {"loss": "mse"}, {"learning_rate": 0.0}, {"validation_split": 1.0},
    {"epochs": 0}, {"l1": -0.1}, {"num_classes": 3}, {"subset": 0},
])
def test_bad_settings_raise_value_error(bad):
    settings = {"dataset": "digits", "subset": None, "input_shape": (8, 8),
                "num_classes": 10, "layers": model_layers(CHOICES["mlp"], (8, 8), 10),
                "l1": 0.0, "l2": 0.0, "optimizer": "adam", "learning_rate": 0.01,
                "loss": "sparse_categorical_crossentropy", "batch_size": 32,
                "epochs": 1, "validation_split": 0.1, "seed": 0}
    with pytest.raises(ValueError):
        training_script(**{**settings, **bad})


def test_script_file_name():
    assert script_file_name("fashion_mnist", "cnn") == "train_fashion_mnist_cnn.py"
    assert script_file_name("cifar10", "Full CNN") == "train_cifar10_full_cnn.py"


def test_digits_script_trains_evaluates_and_names_predictions(monkeypatch):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    script, layers = make_script("digits", "mlp", l2=0.001,
                                 loss="categorical_crossentropy")
    namespace: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "<generated>", "exec"), namespace)  # our own script
    plt.close("all")
    lines = printed.getvalue().splitlines()
    predictions = [line for line in lines if line.startswith("predicted ")]
    assert len(predictions) == 10
    assert all(line.split()[1] in "0123456789" for line in predictions)
    assert any(line.startswith("test loss") for line in lines)
    model = namespace["model"]
    assert model.count_params() == summarize((8, 8, 1), layers).total_params
    assert len(model.losses) == 2  # one L2 penalty per Dense kernel
    assert sorted(namespace["history"].history) == [
        "accuracy", "loss", "val_accuracy", "val_loss"]
