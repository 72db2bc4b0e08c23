"""The denoising autoencoder: masks, corruptions, scaling, PSNR, the NumPy forward
pass, the 2-D PCA, and a real training run on MNIST that must restore digits.

Oracles: Keras for the model (parameter count, forward pass, the code layer's
output), scikit-learn for the PCA, and arithmetic for the rest. The key test
trains the documents' model (10 epochs, batch 64, p = 0.5) once on the offline
MNIST digits and checks that digits under masks it never saw come back clearly
closer to the clean ones than the masked inputs are.
"""

import math
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core import denoising
from core.architecture import summarize
from core.datasets import load_image_dataset
from core.denoising import (
    AMOUNTS,
    CORRUPTIONS,
    EVAL_MASK_SEED,
    PIXELS,
    DenoiserSettings,
    DenseStack,
    SharedDenoiser,
    autoencoder_layers,
    build_denoising_autoencoder,
    corrupt,
    from_symmetric,
    mse,
    pca_2d,
    psnr,
    start_denoiser_training,
    to_symmetric,
    training_pairs,
)
from core.toy_datasets import mask_pixels
from core.training import TrainingSlots

keras = pytest.importorskip("keras")

DOCUMENT_PARAMS = 105_392  # 784·64+64 + 64·32+32 + 32·64+64 + 64·784+784


@pytest.fixture(scope="module")
def mnist():
    return load_image_dataset("mnist", allow_download=False)


@pytest.fixture(scope="module")
def clean_test(mnist):
    return to_symmetric(mnist.x_test)


def wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# ---------------------------------------------------------------- mask_pixels


@pytest.mark.parametrize("keep_prob", [0.1, 0.5, 0.9])
def test_mask_keeps_a_share_p_of_the_pixels(keep_prob):
    values = np.ones((200, PIXELS), np.float32)
    masked = mask_pixels(values, keep_prob, seed=3)
    assert masked.shape == values.shape and masked.dtype == np.float32
    assert set(np.unique(masked)) <= {0.0, 1.0}
    assert abs(masked.mean() - keep_prob) < 0.01
    assert abs(masked.mean(axis=1).std() - math.sqrt(keep_prob * (1 - keep_prob)
                                                     / PIXELS)) < 0.01


def test_mask_is_reproducible_by_seed_and_changes_with_it():
    digits = np.full((50, 28, 28), 200, np.uint8)
    first = mask_pixels(digits, 0.5, seed=11)
    assert first.dtype == np.uint8 and first.shape == digits.shape
    assert set(np.unique(first)) == {0, 200}
    assert np.array_equal(first, mask_pixels(digits, 0.5, seed=11))
    assert not np.array_equal(first, mask_pixels(digits, 0.5, seed=12))
    assert np.array_equal(digits, np.full((50, 28, 28), 200))  # input untouched


def test_mask_with_p_0_zeroes_everything_and_p_1_keeps_everything():
    values = np.random.default_rng(0).uniform(-1, 1, (20, PIXELS)).astype(np.float32)
    assert not mask_pixels(values, 0.0, seed=1).any()
    assert np.array_equal(mask_pixels(values, 1.0, seed=1), values)
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            mask_pixels(values, bad)


# ---------------------------------------------------------------- corruptions


def some_digits(mnist, count=20):
    return to_symmetric(mnist.x_test[:count])


@pytest.mark.parametrize("kind", CORRUPTIONS)
@pytest.mark.parametrize("strength", [0.1, 0.5, 1.0])
def test_every_corruption_keeps_the_shape_and_the_range(mnist, kind, strength):
    clean = some_digits(mnist)
    amount = 1 - strength if kind == "mask" else strength  # mask: p is kept
    noisy = corrupt(clean, kind, amount, seed=5)
    assert noisy.shape == clean.shape and noisy.dtype == np.float32
    assert noisy.min() >= -1 and noisy.max() <= 1
    assert not np.array_equal(noisy, clean)
    assert np.array_equal(noisy, corrupt(clean, kind, amount, seed=5))
    if strength < 1:  # at full strength (drop all, erase all) no seed matters
        assert not np.array_equal(noisy, corrupt(clean, kind, amount, seed=6))


@pytest.mark.parametrize(("kind", "nothing"), [
    ("mask", 1.0), ("gaussian", 0.0), ("salt_pepper", 0.0), ("erase", 0.0)])
def test_no_corruption_returns_the_clean_digits(mnist, kind, nothing):
    clean = some_digits(mnist)
    assert np.array_equal(corrupt(clean, kind, nothing, seed=9), clean)


def test_default_amounts_are_in_range():
    assert set(AMOUNTS) == set(CORRUPTIONS)
    assert all(low <= default <= high for low, high, default in AMOUNTS.values())


def test_mask_is_the_documents_mask_and_p_0_leaves_mid_grey(mnist):
    clean = some_digits(mnist)
    masked = corrupt(clean, "mask", 0.5, seed=4)
    assert np.array_equal(masked, mask_pixels(clean, 0.5, 4))
    dropped = masked != clean
    assert np.all(masked[dropped] == 0)  # a dropped pixel becomes 0: mid-grey
    assert not corrupt(clean, "mask", 0.0, seed=4).any()


def test_gaussian_noise_has_the_asked_spread():
    zeros = np.zeros((100, PIXELS), np.float32)
    noisy = corrupt(zeros, "gaussian", 0.1, seed=0)
    assert abs(noisy.std() - 0.1) < 0.002 and abs(noisy.mean()) < 0.002


def test_salt_and_pepper_hits_a_share_of_pixels_with_black_or_white():
    zeros = np.zeros((100, PIXELS), np.float32)
    noisy = corrupt(zeros, "salt_pepper", 0.2, seed=0)
    hit = noisy != 0
    assert abs(hit.mean() - 0.2) < 0.01
    assert set(np.unique(noisy[hit])) == {-1.0, 1.0}
    assert abs((noisy[hit] == 1).mean() - 0.5) < 0.02


@pytest.mark.parametrize("amount", [0.1, 0.35, 0.6])
def test_erase_blanks_one_square_over_the_ink(mnist, amount):
    side = round(amount * 28)
    for index, row in enumerate(some_digits(mnist, 10)):
        erased = corrupt(row[None], "erase", amount, seed=index)[0].reshape(28, 28)
        clean = row.reshape(28, 28)
        squares = []
        for top in range(28 - side + 1):
            for left in range(28 - side + 1):
                candidate = clean.copy()
                candidate[top:top + side, left:left + side] = -1
                if np.array_equal(candidate, erased):
                    squares.append((top, left))
        assert squares, "the change is not one blanked square"
        assert any((clean[top:top + side, left:left + side] > 0).any()
                   for top, left in squares)
        assert (erased < clean).any()  # some ink was erased


def test_erase_on_a_blank_digit_changes_nothing():
    blank = np.full((3, PIXELS), -1, np.float32)
    assert np.array_equal(corrupt(blank, "erase", 0.5, seed=1), blank)


@pytest.mark.parametrize(("kind", "amount"), [
    ("blur", 0.5), ("Mask", 0.5), ("mask", -0.01), ("mask", 1.01),
    ("gaussian", 2.0), ("erase", math.nan)])
def test_invalid_corruptions_raise_value_error(kind, amount):
    with pytest.raises(ValueError):
        corrupt(np.zeros((1, PIXELS), np.float32), kind, amount)


# ---------------------------------------------------------------- scaling, metrics


def test_every_uint8_value_scales_to_x_minus_128_over_128_and_back():
    values = np.arange(256, dtype=np.uint8)
    image = np.zeros((28, 28), np.uint8).ravel()
    image[:256] = values
    image = image.reshape(28, 28)
    scaled = to_symmetric(image)
    assert scaled.shape == (1, PIXELS) and scaled.dtype == np.float32
    assert np.array_equal(scaled[0, :256],
                          ((values.astype(np.float64) - 128) / 128).astype(np.float32))
    assert scaled.min() == -1 and scaled.max() == 127 / 128
    assert np.array_equal(from_symmetric(scaled).reshape(28, 28), image)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 4), st.just(28), st.just(28))))
def test_scaling_round_trip_is_exact(digits):
    scaled = to_symmetric(digits)
    assert scaled.shape == (len(digits), PIXELS)
    assert np.all((scaled >= -1) & (scaled < 1))
    assert np.array_equal(from_symmetric(scaled).reshape(digits.shape), digits)


def test_from_symmetric_clips_and_keeps_the_shape():
    values = np.array([[-3.0, -1.0, 0.0, 0.5, 1.0, 7.0]])
    assert from_symmetric(values).tolist() == [[0, 0, 128, 192, 255, 255]]
    assert from_symmetric(np.zeros((2, 28, 28))).shape == (2, 28, 28)


@pytest.mark.parametrize("bad", [np.zeros((28, 28), np.float32),
                                 np.zeros((4, 784), np.uint8),
                                 np.zeros((27, 28), np.uint8)])
def test_to_symmetric_refuses_what_is_not_uint8_digits(bad):
    with pytest.raises(ValueError):
        to_symmetric(bad)


def test_mse_and_psnr_known_values():
    assert mse([1, 2, 3], [1, 2, 5]) == pytest.approx(4 / 3)
    assert mse(np.zeros(4), np.full(4, 0.2)) == pytest.approx(0.04)
    assert psnr(np.zeros(4), np.full(4, 0.2)) == pytest.approx(20.0)
    assert psnr(np.full(8, -1.0), np.ones(8)) == pytest.approx(0.0)  # worst case
    assert psnr(np.zeros(4), np.full(4, 0.02)) == pytest.approx(40.0)
    digits = np.random.default_rng(0).uniform(-1, 1, (5, PIXELS))
    assert psnr(digits, digits) == math.inf and mse(digits, digits) == 0


# ---------------------------------------------------------------- Keras oracle


def test_documents_model_has_105_392_parameters_mse_and_adam():
    model = build_denoising_autoencoder()
    summary = summarize((PIXELS,), autoencoder_layers())
    assert model.count_params() == summary.total_params == DOCUMENT_PARAMS
    assert model.loss == "mse"
    assert type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [64, 32, 64, PIXELS]
    assert [layer.get_config()["activation"] for layer in dense] == [
        "relu", "relu", "relu", "tanh"]
    assert [layer.name for layer in dense] == [row.name for row in summary.rows]
    again = build_denoising_autoencoder()  # names do not drift with Keras' counters
    assert [layer.name for layer in again.layers[-4:]] == [
        layer.name for layer in dense]


def test_documents_settings_are_listing_4_1():
    defaults = DenoiserSettings()
    assert (defaults.hidden, defaults.epochs, defaults.batch_size,
            defaults.keep_prob, defaults.learning_rate) == ((64, 32, 64), 10, 64,
                                                            0.5, 0.001)
    assert EVAL_MASK_SEED == 2048


def randomize(model, seed):
    """Random kernels (scaled by fan-in) and nonzero biases, so every unit counts."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            kernel, bias = layer.get_weights()
            layer.set_weights([
                rng.normal(0, 1 / math.sqrt(kernel.shape[0]), kernel.shape),
                rng.normal(0, 0.1, bias.shape)])


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(1, 64), min_size=1, max_size=3), st.integers(0, 1000))
def test_numpy_forward_pass_and_code_equal_keras(hidden, seed):
    model = build_denoising_autoencoder(hidden)
    assert model.count_params() == summarize(
        (PIXELS,), autoencoder_layers(hidden)).total_params
    randomize(model, seed)
    x = np.random.default_rng(seed).uniform(-1, 1, (16, PIXELS)).astype(np.float32)
    stack = DenseStack.from_keras(model)
    np.testing.assert_allclose(stack(x), model.predict(x, verbose=0), atol=1e-5)
    np.testing.assert_allclose(stack(x), np.asarray(model(x)), atol=1e-5)
    narrowest = hidden.index(min(hidden))  # the first of the narrowest layers
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    encoder = keras.Model(model.inputs, dense[narrowest].output)
    assert stack.code_layer == narrowest and stack.code_size == min(hidden)
    np.testing.assert_allclose(stack.encode(x), encoder.predict(x, verbose=0),
                               atol=1e-5)
    outputs = stack.outputs(x)
    assert [out.shape[1] for out in outputs] == [*hidden, PIXELS]
    assert all(out.dtype == np.float32 for out in outputs)


def test_dense_stack_is_read_only_and_refuses_other_activations():
    stack = DenseStack.from_keras(build_denoising_autoencoder((8,)))
    kernel, bias = stack.weights[0]
    with pytest.raises(ValueError):
        kernel[0, 0] = 1.0
    with pytest.raises(ValueError):
        bias[0] = 1.0
    sigmoid = keras.Sequential([keras.Input((4,)),
                                keras.layers.Dense(3, activation="sigmoid")])
    with pytest.raises(ValueError, match="sigmoid"):
        DenseStack.from_keras(sigmoid)


# ---------------------------------------------------------------- PCA


@settings(max_examples=40, deadline=None)
@given(st.integers(5, 60), st.integers(2, 12), st.integers(0, 2**32 - 1))
def test_pca_matches_scikit_learn_up_to_sign(rows, columns, seed):
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    codes = rng.normal(size=(rows, columns)) * 2.0 ** -np.arange(columns) + 3
    ours = pca_2d(codes)
    theirs = PCA(n_components=2, svd_solver="full").fit(codes)
    reference = theirs.transform(codes)
    for axis in range(2):
        same = np.allclose(ours.points[:, axis], reference[:, axis], atol=1e-8)
        flipped = np.allclose(ours.points[:, axis], -reference[:, axis], atol=1e-8)
        assert same or flipped
        loadings = ours.components[axis]
        assert loadings[np.argmax(np.abs(loadings))] > 0  # the sign convention
    np.testing.assert_allclose(ours.explained, theirs.explained_variance_ratio_,
                               atol=1e-10)
    np.testing.assert_allclose(ours.place(codes), ours.points, atol=1e-10)
    np.testing.assert_allclose(ours.place(codes[0]), ours.points[:1], atol=1e-10)


def test_pca_of_one_wide_or_constant_codes_does_not_fail():
    line = pca_2d(np.arange(6.0)[:, None])
    assert line.points.shape == (6, 2) and not line.points[:, 1].any()
    assert line.explained == (1.0, 0.0)
    constant = pca_2d(np.ones((5, 3)))
    assert not constant.points.any() and constant.explained == (0.0, 0.0)


@pytest.mark.parametrize("codes", [np.zeros((1, 4)), np.zeros((0, 4)), np.zeros(8)])
def test_pca_refuses_fewer_than_two_codes(codes):
    with pytest.raises(ValueError):
        pca_2d(codes)


# ---------------------------------------------------------------- training


@pytest.mark.parametrize("hidden", [(), (0,), (64, 0, 64), (-3,), (1025,),
                                    (8,) * 6])
def test_bad_hidden_sizes_are_refused_before_anything_starts(mnist, hidden):
    baseline = threading.active_count()
    with pytest.raises(ValueError, match="hidden layers"):
        start_denoiser_training(mnist.x_train[:64], mnist.x_test[:16],
                                DenoiserSettings(hidden=hidden))
    assert threading.active_count() == baseline


def test_training_pairs_are_masked_inputs_and_clean_targets(mnist):
    masked, clean = training_pairs(mnist.x_train[:100], 0.5, seed=0)
    assert np.array_equal(clean, to_symmetric(mnist.x_train[:100]))
    assert np.array_equal(masked, corrupt(clean, "mask", 0.5, 0))
    assert masked.dtype == clean.dtype == np.float32


@pytest.fixture(scope="module")
def trained(mnist):
    """The documents' model trained once on the 4,000 offline MNIST digits."""
    start = time.perf_counter()
    job = start_denoiser_training(mnist.x_train, mnist.x_test, DenoiserSettings())
    finished = job.wait(180)
    seconds = time.perf_counter() - start
    if not finished:
        job.stop()
        job.wait(30)
    assert finished, "training took more than 180 s"
    print(f"\ntrained in {seconds:.1f} s")
    return job


def test_training_finishes_and_the_loss_falls(trained):
    snapshot = trained.snapshot()
    assert snapshot.status == "finished", snapshot.error_details
    losses = [epoch.loss for epoch in snapshot.epochs]
    assert len(losses) == 10 and all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < 0.5 * losses[0]
    assert snapshot.epochs[-1].val_loss < snapshot.epochs[0].val_loss
    assert snapshot.steps_per_epoch == 63  # ⌈4,000 / 64⌉
    print("epoch loss", [round(loss, 4) for loss in losses])


def test_trained_model_restores_digits_under_masks_it_never_saw(trained, clean_test):
    masked = corrupt(clean_test, "mask", 0.5, seed=EVAL_MASK_SEED)
    stack = DenseStack.from_keras(trained.model)
    restored = stack(masked)
    masked_error, restored_error = mse(masked, clean_test), mse(restored, clean_test)
    print(f"MSE masked {masked_error:.4f} restored {restored_error:.4f}; PSNR "
          f"masked {psnr(masked, clean_test):.2f} dB restored "
          f"{psnr(restored, clean_test):.2f} dB")
    assert restored_error < 0.5 * masked_error
    assert psnr(restored, clean_test) > psnr(masked, clean_test) + 3
    # Digit by digit, not just on average.
    per_digit = np.mean((restored - clean_test) ** 2, axis=1) < np.mean(
        (masked - clean_test) ** 2, axis=1)
    assert per_digit.mean() > 0.95
    # Keras validated on these very masks: its last val_loss is our MSE.
    assert trained.snapshot().epochs[-1].val_loss == pytest.approx(restored_error,
                                                                   rel=1e-3)
    np.testing.assert_allclose(restored, trained.model.predict(masked, verbose=0),
                               atol=1e-5)


def test_trained_model_also_helps_against_salt_and_pepper(trained, clean_test):
    noisy = corrupt(clean_test, "salt_pepper", AMOUNTS["salt_pepper"][2], seed=1)
    restored = DenseStack.from_keras(trained.model)(noisy)
    assert mse(restored, clean_test) < 0.5 * mse(noisy, clean_test)


def test_codes_of_trained_model_spread_in_two_dimensions(trained, clean_test):
    stack = DenseStack.from_keras(trained.model)
    codes = stack.encode(clean_test[:300])
    assert codes.shape == (300, 32) and codes.min() >= 0  # ReLU codes
    projection = pca_2d(codes)
    assert projection.points.shape == (300, 2)
    assert 0 < projection.explained[1] <= projection.explained[0] < 1


# ---------------------------------------------------------------- shared model


@pytest.fixture
def one_slot(monkeypatch):
    """A single training slot, held by the test until it calls ``let_go``: a
    shared denoiser's job stays "queued" for as long as the test needs."""
    slots, holder = TrainingSlots(1), SimpleNamespace(stop_requested=False)
    assert slots.acquire(holder)
    calls, start_real = [], denoising.start_denoiser_training

    def start(*args, **kwargs):
        calls.append(args)
        return start_real(*args, slots=slots, **kwargs)

    def let_go():
        if not holder.stop_requested:  # release once
            holder.stop_requested = True
            slots.release()

    monkeypatch.setattr(denoising, "start_denoiser_training", start)
    yield let_go, calls
    let_go()


def test_shared_denoiser_trains_once_and_shares_the_weights(mnist, one_slot):
    let_go, calls = one_slot
    shared = SharedDenoiser(mnist.x_train[:256], mnist.x_test[:64],
                            DenoiserSettings(epochs=1))
    assert shared.stack() is None  # nothing started yet
    job = shared.ensure_started()
    assert shared.ensure_started() is job and len(calls) == 1
    assert job.snapshot().status == "queued" and shared.stack() is None
    assert shared.restart() is job  # a queued job is kept
    let_go()
    assert job.wait(60) and job.snapshot().status == "finished"
    stack = shared.stack()
    assert isinstance(stack, DenseStack) and shared.stack() is stack
    assert shared.restart() is job and shared.stack() is stack and len(calls) == 1
    digits = to_symmetric(mnist.x_test[:8])
    np.testing.assert_allclose(stack(digits), job.model.predict(digits, verbose=0),
                               atol=1e-5)


def test_shared_denoiser_starts_one_job_for_many_sessions(mnist, one_slot):
    _, calls = one_slot
    shared = SharedDenoiser(mnist.x_train[:256], mnist.x_test[:64],
                            DenoiserSettings(epochs=1))
    jobs = []
    threads = [threading.Thread(target=lambda: jobs.append(shared.ensure_started()))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(jobs) == 8 and all(job is jobs[0] for job in jobs)
    assert len(calls) == 1
    jobs[0].stop()
    assert jobs[0].wait(10)


def test_a_stopped_shared_training_can_be_restarted(mnist, one_slot):
    let_go, calls = one_slot
    shared = SharedDenoiser(mnist.x_train[:256], mnist.x_test[:64],
                            DenoiserSettings(epochs=1))
    first = shared.ensure_started()
    first.stop()
    assert first.wait(10) and first.snapshot().status == "stopped"
    assert shared.stack() is None
    second = shared.restart()
    assert second is not first and shared.ensure_started() is second
    assert len(calls) == 2
    let_go()
    assert second.wait(60) and second.snapshot().status == "finished"
    assert isinstance(shared.stack(), DenseStack)
