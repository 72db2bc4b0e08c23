"""Curves, probes and input checks of the activations lesson, against arithmetic
done by hand."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.activation_analysis import (
    DEFAULT_X_RANGE,
    X_LIMIT,
    check_temperature,
    check_x_range,
    gradient_through_layers,
    low_gradient_intervals,
    parse_logits,
    probe,
    sample_curve,
)
from core.activations import ACTIVATIONS


def test_sigmoid_low_gradient_edges_match_the_closed_form():
    # σ(1−σ) = 0.05  ⇔  σ = (1 + √0.8)/2  ⇔  x = log(σ / (1 − σ)).
    s = (1 + math.sqrt(0.8)) / 2
    edge = math.log(s / (1 - s))  # ≈ 2.887
    curve = sample_curve("sigmoid", -10, 10, num_points=20001)
    (left_start, left_end), (right_start, right_end) = curve.low_gradient
    step = 20 / 20000
    assert (left_start, right_end) == (-10.0, 10.0)
    assert abs(left_end + edge) <= step and abs(right_start - edge) <= step


def test_relu_has_no_gradient_left_of_zero_and_linear_never_flattens():
    assert sample_curve("relu", -5, 5).low_gradient == [(-5.0, 0.0)]
    assert sample_curve("linear", -5, 5).low_gradient == []
    assert sample_curve("step", -5, 5).low_gradient == [(-5.0, 5.0)]


@given(st.lists(st.floats(-1, 1), min_size=2, max_size=200))
def test_low_gradient_intervals_cover_exactly_the_flat_points(values):
    dy = np.array(values)
    x = np.arange(dy.size, dtype=float)
    inside = np.zeros(dy.size, dtype=bool)
    for start, end in low_gradient_intervals(x, dy, 0.3):
        inside[int(start):int(end) + 1] = True
    np.testing.assert_array_equal(inside, np.abs(dy) < 0.3)


def test_softmax_has_no_curve():
    with pytest.raises(ValueError, match="whole vector"):
        sample_curve("softmax", -1, 1)


@pytest.mark.parametrize("low, high, expected", [
    (-3, 3, (-3.0, 3.0, [])),
    (3, -3, (*DEFAULT_X_RANGE, ["x_range_inverted"])),
    (2, 2, (*DEFAULT_X_RANGE, ["x_range_inverted"])),
    (-1e6, 1e6, (-X_LIMIT, X_LIMIT, ["x_range_clamped"])),
    (200, 300, (*DEFAULT_X_RANGE, ["x_range_clamped", "x_range_inverted"])),
    ("a", 1, (*DEFAULT_X_RANGE, ["x_range_not_number"])),
    (float("nan"), 1, (*DEFAULT_X_RANGE, ["x_range_not_number"])),
])
def test_check_x_range(low, high, expected):
    assert check_x_range(low, high) == expected


@pytest.mark.parametrize("value, expected", [
    (1.0, (1.0, [])), (0, (0.05, ["temperature_not_positive"])),
    (-2, (0.05, ["temperature_not_positive"])), (50, (10.0, ["temperature_clamped"])),
    (0.01, (0.05, ["temperature_clamped"])), ("x", (1.0, ["temperature_not_number"])),
])
def test_check_temperature(value, expected):
    assert check_temperature(value) == expected


def test_parse_logits_keeps_numbers_and_names_the_bad_rows():
    values, problems = parse_logits([1, " 2.5 ", None, "", "abc", float("nan"), "inf"])
    assert values.tolist() == [1.0, 2.5]
    assert problems == [("logit_empty", 3), ("logit_empty", 4), ("logit_not_number", 5),
                        ("logit_empty", 6), ("logit_not_number", 7)]
    big, problems = parse_logits(["1e308", "-2e9", "3"])
    assert big.tolist() == [1e6, -1e6, 3.0]
    assert problems == [("logit_clamped", 1), ("logit_clamped", 2)]
    many, problems = parse_logits(range(20))
    assert many.size == 12 and problems == [("logit_too_many", 12)]


def test_probe_tangent_touches_the_curve():
    point = probe("tanh", 0.7)
    assert point["y"] == pytest.approx(math.tanh(0.7))
    assert point["slope"] == pytest.approx(1 - math.tanh(0.7) ** 2)
    assert point["intercept"] + point["slope"] * 0.7 == pytest.approx(point["y"])


def test_gradient_through_layers_by_hand():
    sigmoid = gradient_through_layers("sigmoid", 0.0, 10)
    assert sigmoid["max_slope"] == pytest.approx(0.25)
    assert sigmoid["best_case"] == pytest.approx(0.25 ** 10)
    relu = gradient_through_layers("relu", 2.0, 30)
    assert relu["at_x0"] == 1.0 and relu["best_case"] == 1.0
    slope = float(ACTIVATIONS["tanh"].derivative(np.array(1.5)))
    assert gradient_through_layers("tanh", 1.5, 4)["at_x0"] == pytest.approx(slope**4)


@given(st.floats(1e-3, 1e3))
def test_nice_step_is_round_and_gives_enough_positions(span):
    from core.activation_analysis import nice_step

    step = nice_step(span)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)
    assert 200 <= span / step * 1.000001 < 500 * 1.000001
