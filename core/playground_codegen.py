"""The playground's network as a script to run at home ("show me the code").

The script makes exactly the page's points (it carries the data generator's own
source), builds the same Keras model with the same seeded initial weights, and
trains it with ``model.fit`` — the standard loop; the page runs the same steps
epoch by epoch so it can pause. Only text is produced here.

>>> from core.playground import PlaygroundSpec
>>> script = playground_script(PlaygroundSpec(), epochs=100)
>>> "layers.Dense(4, activation=\\"tanh\\"" in script
True
"""

from __future__ import annotations

import inspect
import textwrap

from core import toy_datasets
from core.playground import (
    PlaygroundSpec,
    check_spec,
    loss_name,
    num_outputs,
    output_activation,
    plane_dataset,
)

_FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1sq": "x1 * x1", "x2sq": "x2 * x2",
                 "x1x2": "x1 * x2", "sinx1": "np.sin(np.pi * x1)",
                 "sinx2": "np.sin(np.pi * x2)"}
_OPTIMIZER_CODE = {"sgd": "keras.optimizers.SGD(learning_rate={lr})",
                   "momentum": "keras.optimizers.SGD(learning_rate={lr}, momentum=0.9)",
                   "rmsprop": "keras.optimizers.RMSprop(learning_rate={lr})",
                   "adam": "keras.optimizers.Adam(learning_rate={lr})"}


def _generator_source(dataset: str) -> str:
    if dataset == "plane":
        return inspect.getsource(plane_dataset)
    parts = [toy_datasets._rotate, toy_datasets._toy_points,
             toy_datasets.make_toy_dataset]
    code = "\n\n".join(inspect.getsource(part) for part in parts)
    return code.replace("if name not in TOY_DATASETS:",
                        "if False:  # checked by the app")


def _strip_doctests(source: str) -> str:
    """Drop the docstrings' examples (they refer to names of the app)."""
    kept, skipping = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(">>>"):
            skipping = True
            continue
        if skipping and stripped and not stripped.startswith('"""'):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


def playground_script(spec: PlaygroundSpec, epochs: int = 300) -> str:
    """A runnable script for the spec: data, features, model, fit, accuracy.

    Raises:
        PlaygroundError: settings no network can train with (as on the page).
    """
    check_spec(spec)
    if spec.dataset == "plane":
        make = f"X, y = plane_dataset({spec.points}, {spec.noise!r}, {spec.seed})"
    else:
        make = (f"X, y = make_toy_dataset({spec.dataset!r}, {spec.points}, "
                f"{spec.noise!r}, {spec.seed})")
    columns = ", ".join(_FEATURE_CODE[f] for f in spec.features)
    penalty = ""
    if spec.l1 or spec.l2:
        penalty = (f", kernel_regularizer=keras.regularizers.L1L2("
                   f"l1={spec.l1!r}, l2={spec.l2!r})")
    lines = []
    for index, (units, act) in enumerate(zip(spec.hidden, spec.activations,
                                                strict=True), 1):
        lines.append(f"    layers.Dense({units}, activation=\"{act}\"{penalty}, "
                     f"kernel_initializer=keras.initializers.GlorotUniform("
                     f"seed={spec.seed + index}), name=\"hidden_{index}\"),")
        if spec.dropout:
            lines.append(f"    layers.Dropout({spec.dropout!r}, "
                         f"seed={spec.seed + 100 + index}),")
    lines.append(f"    layers.Dense({num_outputs(spec.dataset)}, "
                 f"activation=\"{output_activation(spec.dataset)}\"{penalty}, "
                 f"kernel_initializer=keras.initializers.GlorotUniform("
                 f"seed={spec.seed}), name=\"output\"),")
    metrics = '' if spec.dataset == "plane" else ', metrics=["accuracy"]'
    optimizer = _OPTIMIZER_CODE[spec.optimizer].format(lr=repr(spec.learning_rate))
    source = _strip_doctests(_generator_source(spec.dataset))
    body = f'''\
        """Neural Playground: the playground's network in Keras."""
        import numpy as np
        import keras
        from keras import layers

        EPOCHS = {epochs}

        # The app's data generator, so these are the page's points.
        {{source}}

        {make}
        cut = max(1, min(len(X) - 1, round(len(X) * {spec.train_percent} / 100)))
        x1, x2 = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)
        features = np.stack([{columns}], axis=1).astype(np.float32)
        x_train, y_train = features[:cut], y[:cut]
        x_test, y_test = features[cut:], y[cut:]

        model = keras.Sequential([
            keras.Input(({len(spec.features)},)),
        {{layers}}
        ])
        model.compile(optimizer={optimizer},
                      loss="{loss_name(spec.dataset)}"{metrics})
        model.summary()
        history = model.fit(x_train, y_train, epochs=EPOCHS,
                            batch_size={spec.batch_size}, shuffle=True,
                            validation_data=(x_test, y_test), verbose=0)
        print("train loss", history.history["loss"][-1])
        print("test loss", history.history["val_loss"][-1])
        print("test", model.evaluate(x_test, y_test, verbose=0, return_dict=True))
        '''
    script = textwrap.dedent(body)
    return script.replace("{source}", source).replace("{layers}", "\n".join(lines))
