"""The denoising autoencoder as a script a student runs at home ("show me the code").

It is the documents' pipeline (Listing 4.1 and the code around it), corrected:

- the source predicts on the *unmasked* training set
  (``norm_masked_x = ((x_train - 128.0)/128.0)…``) by mistake; ours predicts on
  the masked sample, so the result really is a restoration;
- the source's ``if seed:`` ignores seed 0; ours uses every seed;
- the masks come from ``np.random.default_rng(seed)``, as the app's do, so the
  same seed gives the same mask here and on the page.

Only text is produced here; Keras is never imported.

>>> script = denoising_script((64, 32, 64), 0.5, 64, 10, 0.001, 0)
>>> "layers.Dense(32, activation=\\"relu\\")" in script
True
"""

from __future__ import annotations

from collections.abc import Sequence

from core.denoising import EVAL_MASK_SEED, PIXELS, autoencoder_layers
from core.keras_build import keras_call

NUM_SHOWN = 10


def denoising_script(hidden: Sequence[int], keep_prob: float, batch_size: int,
                     epochs: int, learning_rate: float, seed: int,
                     subset: int | None = None) -> str:
    """A runnable script: load MNIST, scale to [−1, 1], mask, train, restore, plot.

    Args:
        hidden: the hidden layers' widths (documents: 64, 32, 64).
        keep_prob: p, the chance a pixel survives the training mask.
        batch_size, epochs, learning_rate: as ``fit`` and ``Adam`` take them.
        seed: seeds Keras and the training mask.
        subset: train on the first ``subset`` digits only (None: all 60,000).

    Raises:
        ValueError: a setting out of range.
    """
    layers = autoencoder_layers(hidden)
    if not 0 <= keep_prob <= 1:
        raise ValueError(f"keep_prob must be between 0 and 1, got {keep_prob}.")
    if batch_size < 1 or epochs < 1 or not learning_rate > 0:
        raise ValueError("batch_size and epochs must be ≥ 1 and the learning rate "
                         "> 0.")
    take = "" if subset is None else f"[:{int(subset)}]"
    calls = "\n".join(f"    {keras_call(spec)}," for spec in layers)
    return f'''"""Denoising autoencoder (去噪自编码器) on MNIST — Neural Playground."""
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers

keras.utils.set_random_seed({seed})

# 1. Data: scale 0..255 to [-1, 1] (tanh's range) and flatten 28x28 to {PIXELS}.
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
norm_x_train = ((x_train{take} - 128.0) / 128.0).reshape([-1, {PIXELS}])
norm_x_test = ((x_test - 128.0) / 128.0).reshape([-1, {PIXELS}])


# 2. Corruption: keep each pixel with probability p, zero the rest.
def generate_masked_inputs(x, p, seed=None):
    rng = np.random.default_rng(seed)  # seed 0 counts too
    mask = rng.binomial(n=1, p=p, size=x.shape).astype("float32")
    return x * mask


masked_x_train = generate_masked_inputs(norm_x_train, {keep_prob!r}, seed={seed})

# 3. The model: compress to a small code, then reconstruct.
autoencoder = keras.Sequential([
    keras.Input(shape=({PIXELS},)),
{calls}
])
autoencoder.compile(loss="mse",
                    optimizer=keras.optimizers.Adam(learning_rate={learning_rate!r}))
autoencoder.summary()

# 4. Train: masked digits in, clean digits out.
history = autoencoder.fit(masked_x_train, norm_x_train,
                          batch_size={batch_size}, epochs={epochs})

# 5. Restore test digits under masks the model never saw (another seed).
#    Predict on the MASKED digits (the source predicted on unmasked ones).
clean = norm_x_test[:{NUM_SHOWN}]
masked = generate_masked_inputs(clean, {keep_prob!r}, seed={EVAL_MASK_SEED})
restored = autoencoder.predict(masked, verbose=0)
print("MSE masked   vs clean:", float(np.mean((masked - clean) ** 2)))
print("MSE restored vs clean:", float(np.mean((restored - clean) ** 2)))

# 6. Show clean / masked / restored, one row each.
fig, axes = plt.subplots(3, {NUM_SHOWN}, figsize=(12, 4))
for row, (name, images) in enumerate(
        [("clean", clean), ("masked", masked), ("restored", restored)]):
    for column in range({NUM_SHOWN}):
        axes[row, column].imshow(images[column].reshape(28, 28), cmap="gray",
                                 vmin=-1, vmax=1)
        axes[row, column].axis("off")
    axes[row, 0].set_title(name, loc="left")
plt.show()
'''


def script_file_name() -> str:
    return "denoising_autoencoder.py"
