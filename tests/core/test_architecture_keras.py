"""summarize() against Keras 3: every shape and parameter count, layer by layer.

Keras is the oracle: each network is built with ``build_keras_model`` (functional
API, layers named like our summary rows) and compared row by row; a network
Keras refuses must be refused by ``summarize`` at the same layer, and the other
way round. Hypothesis generates small image and sequence stacks.
"""

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.architecture import ShapeError, summarize
from core.keras_build import build_keras_model, to_keras_code
from core.layer_spec import make_layer
from core.presets import PRESETS

ROOT = Path(__file__).resolve().parents[2]
VALID = [name for name, preset in PRESETS.items() if preset.expected_total]


def weight_count(weights) -> int:
    return sum(math.prod(weight.shape) for weight in weights)


def our_rows(summary) -> list[tuple]:
    return [(row.name, tuple(row.output_shape), row.params, row.trainable,
             row.non_trainable) for row in summary.rows]


def keras_rows(model, names) -> list[tuple]:
    rows = []
    for name in names:
        layer = model.get_layer(name)
        rows.append((name, tuple(layer.output.shape)[1:], layer.count_params(),
                     weight_count(layer.trainable_weights),
                     weight_count(layer.non_trainable_weights)))
    return rows


def fresh_session() -> None:
    """Reset Keras' name counters; skipping gc.collect() saves 0.25 s a build."""
    keras.backend.clear_session(free_memory=False)


def build(input_shape, layers, **options):
    fresh_session()
    return build_keras_model(input_shape, layers, **options)


def assert_same_as_keras(input_shape, layers):
    """Keras and summarize() agree: same rows, or both refuse at the same layer."""
    try:
        summary = summarize(input_shape, layers)
    except ShapeError as error:
        index = error.layer_index
        if index > 0:  # everything before the layer we blame, Keras builds
            build(input_shape, layers[:index])
        try:
            build(input_shape, layers[:index + 1])
        except ValueError:
            return None
        pytest.fail(f"summarize refuses layer {index} ({error}) but Keras builds it")
    names = [row.name for row in summary.rows]
    try:
        model = build(input_shape, layers, names=names)
    except ValueError as keras_error:
        pytest.fail(f"Keras refuses ({keras_error}) but summarize accepts: "
                    f"{our_rows(summary)}")
    assert our_rows(summary) == keras_rows(model, names)
    assert summary.total_params == model.count_params()
    assert summary.trainable_params == weight_count(model.trainable_weights)
    assert summary.non_trainable_params == weight_count(model.non_trainable_weights)
    return summary


# --- the reference stacks ----------------------------------------------------


@pytest.mark.parametrize("name", VALID)
def test_preset_matches_keras_layer_by_layer(name):
    preset = PRESETS[name]
    summary = assert_same_as_keras(preset.input_shape, list(preset.layers))
    assert summary is not None, f"summarize refused {name}"
    assert summary.total_params == preset.expected_total


def test_listing_4_2_is_refused_by_keras_and_by_summarize_at_the_third_conv():
    preset = PRESETS["listing_4_2"]
    with pytest.raises(ShapeError) as caught:
        summarize(preset.input_shape, preset.layers)
    assert caught.value.layer_index == 2
    assert [row.output_shape for row in caught.value.rows] == [(12, 12, 16),
                                                               (6, 6, 32)]
    build(preset.input_shape, preset.layers[:2])
    with pytest.raises(ValueError, match="negative"):
        build(preset.input_shape, preset.layers[:3])


FIGURES = [
    ("cifar_mlp", [0, 614_600, 30_150, 1_510], 646_260),
    ("small_cnn", [490, 1_820, 0, 12_810], 15_120),
    ("listing_4_3", [448, 0, 4_640, 0, 0, 32_832, 2_080, 330], 40_330),
    ("denoising_autoencoder", [50_240, 2_080, 2_112, 50_960], 105_392),
    ("fashion_mlp", [0, 235_500, 30_100, 1_010], 266_610),
    ("lenet_conv1", [456, 0], 456),
    ("dense_bottleneck", [0, 16_778_240], 16_778_240),
    ("vgg16", None, 138_357_544),
]


@pytest.mark.parametrize(("name", "row_params", "total"), FIGURES)
def test_curriculum_figures(name, row_params, total):
    """The numbers CURRICULUM.md §6 quotes from the documents (Keras 3.15)."""
    preset = PRESETS[name]
    summary = summarize(preset.input_shape, preset.layers)
    if row_params is not None:
        assert [row.params for row in summary.rows] == row_params
    assert summary.total_params == total == preset.expected_total


def test_curriculum_shapes_and_non_trainable():
    small = summarize((32, 32, 3), PRESETS["small_cnn"].layers)
    assert [row.output_shape for row in small.rows] == [
        (16, 16, 10), (8, 8, 20), (1280,), (10,)]
    full = summarize((32, 32, 3), PRESETS["full_cnn"].layers)
    assert (full.total_params, full.non_trainable_params) == (592_554, 640)
    listing = summarize((32, 32, 3), PRESETS["listing_4_3"].layers)
    assert [row.output_shape[0] for row in listing.rows[:4]] == [16, 8, 8, 4]
    exercise = PRESETS["exercise_2"]
    assert summarize(exercise.input_shape, exercise.layers).output_shape == (8, 8, 32)
    lenet = summarize((32, 32, 3), PRESETS["lenet_conv1"].layers)
    assert [row.output_shape for row in lenet.rows] == [(28, 28, 6), (14, 14, 6)]


WIDE_AND_DEEP = [  # S2's functional example: the input skips to the output
    make_layer("Dense", (30,), {"activation": "relu"}),
    make_layer("Dense", (30,), {"activation": "relu"}),
    make_layer("Concatenate", inputs=(-1, 1)),
    make_layer("Dense", (1,)),
]


def test_concatenate_matches_keras():
    summary = assert_same_as_keras((8,), WIDE_AND_DEEP)
    assert summary.rows[2].output_shape == (38,)
    assert summary.total_params == 270 + 930 + 39


# --- the code a student copies -----------------------------------------------


def run_code(code: str):
    fresh_session()
    namespace: dict = {}
    exec(code, namespace)  # tests only: the snippet must really run
    return namespace["model"]


@pytest.mark.parametrize("name", VALID)
def test_generated_code_builds_the_preset(name):
    preset = PRESETS[name]
    model = run_code(to_keras_code(preset.input_shape, preset.layers))
    assert model.count_params() == preset.expected_total


def test_generated_code_reads_like_the_documents():
    code = to_keras_code((32, 32, 3), PRESETS["listing_4_3"].layers)
    assert "keras.Input(shape=(32, 32, 3))," in code
    assert ('layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same", '
            'activation="relu"),') in code
    assert "layers.Dense(10, activation=\"softmax\")," in code
    assert "layers.Flatten()," in code


def test_generated_functional_code_for_concatenate():
    code = to_keras_code((8,), WIDE_AND_DEEP)
    assert "x2 = layers.Concatenate()([inputs, x1])" in code
    assert run_code(code).count_params() == 1_239


def test_generated_code_of_listing_4_2_fails_like_the_book():
    preset = PRESETS["listing_4_2"]
    with pytest.raises(ValueError, match="negative"):
        run_code(to_keras_code(preset.input_shape, preset.layers))


# --- too big to build ----------------------------------------------------------


def test_too_big_is_refused_before_importing_keras():
    script = textwrap.dedent("""
        import sys
        from core.architecture import summarize
        from core.keras_build import build_keras_model
        from core.layer_spec import ArchitectureError, make_layer
        layers = [make_layer("Dense", (10**9,))]
        summary = summarize((4,), layers)
        try:
            build_keras_model((4,), layers, param_count=summary.total_params)
        except ArchitectureError as error:
            print(error.code, error.details["params"], error.details["limit"])
        print(sorted(m for m in ("keras", "tensorflow") if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "too_big_to_build 5000000000 150000000", "[]"]


# --- Hypothesis: random image stacks ------------------------------------------

PADDINGS = st.sampled_from(["valid", "same"])
small_pairs = st.tuples(st.integers(1, 7), st.integers(1, 7))


@st.composite
def conv_layer(draw):
    kind = draw(st.sampled_from(["Conv2D", "Conv2DTranspose"]))
    strides = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    dilation = (1, 1)
    if strides == (1, 1):
        dilation = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    return make_layer(kind, (draw(st.integers(1, 8)), draw(small_pairs)), {
        "strides": strides, "padding": draw(PADDINGS), "dilation_rate": dilation,
        "use_bias": draw(st.booleans())})


@st.composite
def pool_layer(draw):
    kind = draw(st.sampled_from(["MaxPooling2D", "AveragePooling2D"]))
    pool = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    strides = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    return make_layer(kind, (pool, strides, draw(PADDINGS)))


padding_layer = st.tuples(st.tuples(st.integers(0, 3), st.integers(0, 3)),
                          st.tuples(st.integers(0, 3), st.integers(0, 3))).map(
    lambda padding: make_layer("ZeroPadding2D", (padding,)))
plain_layer = st.sampled_from([
    make_layer("BatchNormalization"), make_layer("Dropout", (0.25,)),
    make_layer("Activation", ("relu",)), make_layer("ReLU"),
    make_layer("LeakyReLU"), make_layer("BatchNormalization", (),
                                        {"center": False})])
image_layer = st.one_of(conv_layer(), pool_layer(), padding_layer, plain_layer)


@st.composite
def image_stack(draw):
    shape = (draw(st.integers(1, 40)), draw(st.integers(1, 40)),
             draw(st.integers(1, 4)))
    layers = draw(st.lists(image_layer, min_size=1, max_size=5))
    head = draw(st.sampled_from(["none", "global", "dense"]))
    if head == "global":
        layers.append(make_layer("GlobalAveragePooling2D"))
    elif head == "dense":
        layers += [make_layer("Flatten"), make_layer("Dense", (draw(
            st.integers(1, 16)),))]
    return shape, layers


@settings(max_examples=40, deadline=None)
@given(image_stack())
def test_random_image_stacks_match_keras(case):
    assert_same_as_keras(*case)


# --- Hypothesis: random sequence stacks ---------------------------------------


@st.composite
def sequence_layer(draw):
    kind = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU", "Dense", "Flatten"]))
    if kind == "Flatten":
        return make_layer(kind)
    keywords = {"use_bias": draw(st.booleans())}
    if kind != "Dense":
        keywords["return_sequences"] = draw(st.booleans())
    if kind == "GRU":
        keywords["reset_after"] = draw(st.booleans())
    return make_layer(kind, (draw(st.integers(1, 16)),), keywords)


@st.composite
def sequence_stack(draw):
    steps = draw(st.none() | st.integers(1, 12))
    layers = []
    if draw(st.booleans()):  # token ids → vectors, as a text model starts
        shape = (steps,)
        layers.append(make_layer("Embedding", (draw(st.integers(1, 50)),
                                               draw(st.integers(1, 8)))))
    else:
        shape = (steps, draw(st.integers(1, 8)))
    layers += draw(st.lists(sequence_layer(), min_size=1, max_size=3))
    return shape, layers


@settings(max_examples=40, deadline=None)
@given(sequence_stack())
def test_random_sequence_stacks_match_keras(case):
    assert_same_as_keras(*case)


HAND_PICKED = [
    pytest.param((9, 9, 1), [make_layer("Conv2D", (4, 3), {"strides": 2,
                                                           "dilation_rate": 2})],
                 id="dilation-with-stride"),
    pytest.param((9, 9, 1), [make_layer("Dense", (4,)),
                             make_layer("GlobalAveragePooling2D"),
                             make_layer("Dense", (3,))], id="dense-on-image"),
    pytest.param((10,), [make_layer("Conv2D", (4, 3))], id="conv-on-vector"),
    pytest.param((10,), [make_layer("LSTM", (4,))], id="lstm-on-vector"),
    pytest.param((None, 3), [make_layer("Flatten"), make_layer("Dense", (2,))],
                 id="dense-after-unknown-length"),
    pytest.param((4, 4, 2), [make_layer("Reshape", ((8, 4),)),
                             make_layer("GRU", (5,))], id="reshape-then-gru"),
    pytest.param((4, 4, 2), [make_layer("Reshape", ((5, 4),))],
                 id="reshape-mismatch"),
    pytest.param((None, 1, None), [make_layer("BatchNormalization")],
                 id="batchnorm-unknown-channels"),
    # Keras counts ``axis`` with the batch axis: axis=1 is the first axis of our
    # shapes (height), axis=3 the channels of an image; only negative axes agree.
    pytest.param((5, 4, 3), [make_layer("BatchNormalization", (1,))],
                 id="batchnorm-axis-1-is-height"),
    pytest.param((5, 4, 3), [make_layer("BatchNormalization", (3,))],
                 id="batchnorm-axis-3-is-channels"),
    pytest.param((3, 1), [make_layer("Concatenate", (1,), inputs=(-1, -1))],
                 id="concatenate-axis-1-is-the-first-axis"),
    pytest.param((3, 1), [make_layer("Concatenate", (2,), inputs=(-1, -1))],
                 id="concatenate-axis-2-is-the-last-axis"),
    # Keras reshapes a sequence of unknown length when -1 can absorb it.
    pytest.param((None, 2), [make_layer("Reshape", ((-1, 2),))],
                 id="reshape-unknown-length"),
]


@pytest.mark.parametrize(("input_shape", "layers"), HAND_PICKED)
def test_hand_picked_cases_match_keras(input_shape, layers):
    """Cases the generators rarely reach: refusals (dilation with stride, wrong
    rank, an unknown size before Dense or BatchNormalization, a Reshape that does
    not add up) and the ``axis`` arguments, which Keras counts from the batch."""
    assert_same_as_keras(input_shape, layers)


def test_a_layer_that_feeds_nothing_is_refused_not_counted():
    """Input → Dense → Concatenate([input, input]): the Dense is a dead branch;
    Keras' model leaves it out (its 25 parameters are not in count_params()), so
    summarize refuses it at that layer instead of counting it."""
    layers = [make_layer("Dense", (5,)),
              make_layer("Concatenate", inputs=(-1, -1))]
    model = build((4,), layers)
    assert "dense" not in [layer.name.split("_")[0] for layer in model.layers]
    with pytest.raises(ShapeError) as caught:
        summarize((4,), layers)
    assert caught.value.code == "unused_layer" and caught.value.layer_index == 0
