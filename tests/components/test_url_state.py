"""URL encoding of settings: every type survives the round trip."""

from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from components.url_state import decode_value, encode_value


@dataclass(frozen=True)
class Example:
    names: tuple[str, ...] = ("a", "b")
    ratio: float = 0.5
    count: int = 3
    flag: bool = True
    word: str = "relu"


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_floats_round_trip(value):
    assert decode_value(encode_value(value), 0.5) == pytest.approx(value, rel=1e-5)


@given(st.integers(-10**6, 10**6))
def test_ints_round_trip(value):
    assert decode_value(encode_value(value), 3) == value


@given(st.lists(st.sampled_from(["relu", "tanh", "gelu", "elu", "", "1.5"]),
                min_size=1, max_size=9))
def test_lists_round_trip_with_their_empty_cells(names):
    assume(any(names))
    assert decode_value(encode_value(tuple(names)), ("x",)) == tuple(names)


def test_an_empty_list_stays_empty():
    assert decode_value("", ("x",)) == ()


@pytest.mark.parametrize("flag", [True, False])
def test_bools_round_trip(flag):
    assert decode_value(encode_value(flag), True) is flag


@pytest.mark.parametrize("text, default", [
    ("banana", 0.5), ("nan", 0.5), ("1.5", 3), ("maybe", True), ("", 0.5)])
def test_unreadable_values_raise_value_error(text, default):
    with pytest.raises(ValueError):
        decode_value(text, default)
