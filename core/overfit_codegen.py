"""Show me the code: the overfitting lesson's MLP as a runnable Keras script, with
``kernel_regularizer``, ``Dropout``, ``validation_data`` and ``EarlyStopping``.

>>> script = overfit_script(12, 0, MLPSettings(l2=0.01), patience=20)
>>> "kernel_regularizer=keras.regularizers.L1L2(l1=0.0, l2=0.01)" in script
True
"""

from __future__ import annotations

from core.overfit_mlp import HIDDEN_UNITS, SMALL_WEIGHT, MLPSettings
from core.overfitting import DEFAULT_NOISE, NUM_VAL, POOL_SIZE, X_RANGE

SCRIPT_FILE_NAME = "overfitting_mlp.py"


def _layers(settings: MLPSettings) -> str:
    lines = []
    for index, units in enumerate(HIDDEN_UNITS, start=1):
        penalty = f"l1={settings.l1!r}, l2={settings.l2!r}"
        lines.append(
            f'    keras.layers.Dense({units}, activation="relu", '
            f'name="hidden_{index}",\n'
            f'                       kernel_regularizer='
            f'keras.regularizers.L1L2({penalty})),')
        if settings.dropout_rate > 0:
            lines.append(f'    keras.layers.Dropout({settings.dropout_rate!r}, '
                         f'name="dropout_{index}"),  # off in predict()')
    return "\n".join(lines)


def overfit_script(num_train: int, data_seed: int, settings: MLPSettings,
                   patience: int) -> str:
    """The whole experiment for these settings as a script that runs as it is."""
    low, high = X_RANGE
    return f'''"""Overfitting and regularisation (过拟合与正则化) — Neural Playground.

A 1 → 64 → 64 → 1 network learns y = sin(πx) from {num_train} noisy points.
validation_data shows val_loss rising while loss keeps falling (overfitting);
L1/L2 penalties and Dropout fight it, EarlyStopping keeps the best epoch.
Run: python {SCRIPT_FILE_NAME}
"""
import keras
import numpy as np

# The data: {num_train} training points (the first of a pool of {POOL_SIZE}) and
# {NUM_VAL} validation points from the same curve, noise σ = {DEFAULT_NOISE}.
train_rng = np.random.default_rng([{data_seed}, 0])
val_rng = np.random.default_rng([{data_seed}, 1])
x_pool = train_rng.uniform({low}, {high}, {POOL_SIZE})
y_pool = np.sin(np.pi * x_pool) + train_rng.normal(0.0, {DEFAULT_NOISE}, {POOL_SIZE})
x_train, y_train = x_pool[:{num_train}], y_pool[:{num_train}]
x_val = np.sort(val_rng.uniform({low}, {high}, {NUM_VAL}))
y_val = np.sin(np.pi * x_val) + val_rng.normal(0.0, {DEFAULT_NOISE}, {NUM_VAL})

keras.utils.set_random_seed({settings.seed})  # same seed, same starting weights
model = keras.Sequential([
    keras.Input(shape=(1,)),
{_layers(settings)}
    keras.layers.Dense(1, name="y"),
])
# The loss is what training minimises: MSE + the penalty. The "mse" metric is
# only reported; it does not change training.
model.compile(optimizer=keras.optimizers.Adam({settings.learning_rate!r}),
              loss="mean_squared_error", metrics=["mse"])
model.summary()

early_stopping = keras.callbacks.EarlyStopping(
    monitor="val_loss", patience={patience}, restore_best_weights=True)
history = model.fit(x_train, y_train, batch_size=len(x_train),
                    epochs={settings.epochs}, verbose=0,
                    validation_data=(x_val, y_val), callbacks=[early_stopping])

loss, val_loss = history.history["loss"], history.history["val_loss"]
best = int(np.argmin(val_loss))
print(f"ran {{len(loss)}} epochs; best val_loss {{val_loss[best]:.4f}} "
      f"at epoch {{best + 1}} (loss there {{loss[best]:.4f}})")
print(f"last epoch: loss {{loss[-1]:.4f}}, val_loss {{val_loss[-1]:.4f}}")
kernels = np.concatenate([layer.kernel.numpy().ravel() for layer in model.layers
                          if layer.name.startswith("hidden")])
print(f"hidden kernels: sum |w| = {{np.abs(kernels).sum():.2f}}, "
      f"|w| < {SMALL_WEIGHT:g}: {{(np.abs(kernels) < {SMALL_WEIGHT:g}).sum()}} "
      f"of {{kernels.size}}, exactly 0: {{(kernels == 0).sum()}}")
'''
