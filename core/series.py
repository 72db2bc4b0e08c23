"""Time series for the recurrent-networks lesson (循环神经网络): where the numbers
come from, how they are cut into windows and scaled, and the baseline to beat.

Three sources: a synthetic sine + trend + noise (seeded), a real series shipped
with matplotlib (the monthly S&P 500 close, ``^GSPC`` in ``Stocks.csv``), and
numbers a student pastes. A window of ``window`` past values predicts the next
one (horizon 1). Splits are chronological (train, then validation, then test),
and the scaler is fitted on the training part only, so nothing from the future
leaks into training.

>>> values, problems = parse_series("1, 2; 3\\n4 x 5")
>>> values, problems
(None, [SeriesProblem(code='not_number', position=5, text='x')])
>>> split = split_series(np.arange(20.0), window=3, train_fraction=0.6,
...                      validation_fraction=0.2)
>>> split.num_train, split.num_validation, split.num_test
(10, 3, 4)
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

MAX_POINTS = 2000
VALUE_LIMIT = 1e9
SEPARATORS = re.compile(r"[,;\s，；、]+")


class SeriesProblem(NamedTuple):
    """Why a series cannot be used: a code, the 1-based position and the text."""

    code: str
    position: int = 0
    text: str = ""


class SeriesError(ValueError):
    """A series or a split that cannot work; ``problem`` says why, for the UI."""

    def __init__(self, problem: SeriesProblem, **numbers: int) -> None:
        super().__init__(f"{problem.code}: {numbers}")
        self.problem, self.numbers = problem, numbers


def parse_series(text: str, max_points: int = MAX_POINTS
                 ) -> tuple[np.ndarray | None, list[SeriesProblem]]:
    """Numbers separated by commas, semicolons, spaces or new lines.

    Returns:
        (values, problems): values is None when an entry is not a finite number
        (NaN, inf, text: named by its 1-based position), the text holds no
        number, or more than ``max_points`` numbers.

    >>> parse_series("0.5, -1, 0.8")[0].tolist()
    [0.5, -1.0, 0.8]
    >>> parse_series("1, nan, inf")[1][0]
    SeriesProblem(code='not_finite', position=2, text='nan')
    """
    entries = [part for part in SEPARATORS.split(text or "") if part]
    problems, values = [], []
    for position, entry in enumerate(entries, start=1):
        try:
            value = float(entry)
        except ValueError:
            problems.append(SeriesProblem("not_number", position, entry[:20]))
            continue
        if not math.isfinite(value):
            problems.append(SeriesProblem("not_finite", position, entry[:20]))
        elif abs(value) > VALUE_LIMIT:
            problems.append(SeriesProblem("too_large", position, entry[:20]))
        else:
            values.append(value)
    if not entries:
        problems.append(SeriesProblem("empty"))
    elif len(entries) > max_points:
        problems.append(SeriesProblem("too_many", max_points))
    return (None if problems else np.array(values)), problems


def make_synthetic_series(num_points: int = 300, period: float = 24.0,
                          trend: float = 0.0, noise: float = 0.1,
                          seed: int = 0) -> np.ndarray:
    """sin(2π·t / period) + trend·t + noise·N(0, 1), t = 0 … num_points − 1.

    >>> make_synthetic_series(4, period=4, trend=0, noise=0).round(6).tolist()
    [0.0, 1.0, 0.0, -1.0]
    """
    steps = np.arange(num_points, dtype=float)
    rng = np.random.default_rng(seed)
    return (np.sin(2 * np.pi * steps / period) + trend * steps
            + noise * rng.standard_normal(num_points))


@dataclass(frozen=True)
class RealSeries:
    """A shipped series: dates, values, rows dropped as gaps, and where it lives."""

    dates: tuple[str, ...]
    values: np.ndarray
    num_gaps: int
    gap_dates: tuple[str, ...]
    source: str


def stocks_path() -> str:
    """matplotlib's sample ``Stocks.csv`` (found without importing pyplot)."""
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "sample_data", "Stocks.csv")


def load_stock_series(column: str = "^GSPC") -> RealSeries:
    """The monthly close of ``column`` (default: the S&P 500 index) from
    matplotlib's ``Stocks.csv``; rows with no value (e.g. 1990-02-05, a stray
    blank row) are gaps and are dropped, as the page explains."""
    path = stocks_path()
    with open(path, encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
    header, body = rows[0], rows[1:]
    index = header.index(column)
    dates, values, gaps = [], [], []
    for row in body:
        cell = row[index].strip() if index < len(row) else ""
        if cell:
            dates.append(row[0])
            values.append(float(cell))
        else:
            gaps.append(row[0])
    return RealSeries(tuple(dates), np.array(values), len(gaps), tuple(gaps), path)


@dataclass(frozen=True)
class SeriesSplit:
    """Windows of a series, split chronologically, scaled by the training part.

    ``x_*`` have shape (samples, window, 1), ``y_*`` (samples,), both scaled;
    ``target_index_*`` are the positions in the series of each target.
    """

    window: int
    mean: float
    scale: float
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    target_index_test: np.ndarray
    boundaries: tuple[int, int]  # series positions where validation, test begin

    num_train = property(lambda self: len(self.y_train))
    num_validation = property(lambda self: len(self.y_validation))
    num_test = property(lambda self: len(self.y_test))

    def unscale(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values) * self.scale + self.mean


def minimum_length(window: int) -> int:
    """Points needed: ``window`` inputs before the first target, and at least one
    target each for training, validation and test."""
    return window + 3


def split_series(values: np.ndarray, window: int, train_fraction: float = 0.7,
                 validation_fraction: float = 0.15) -> SeriesSplit:
    """Cut ``values`` into (window → next value) pairs, split them in time order,
    and standardise with the training part's mean and standard deviation.

    Raises:
        SeriesError: window < 1, a series shorter than ``minimum_length(window)``,
            or fractions leaving a part without targets.
    """
    values = np.asarray(values, dtype=float)
    if window < 1:
        raise SeriesError(SeriesProblem("bad_window"), window=window)
    if len(values) < minimum_length(window):
        raise SeriesError(SeriesProblem("too_short"), window=window,
                          length=len(values), needed=minimum_length(window))
    num_targets = len(values) - window
    num_train = int(num_targets * train_fraction)
    num_validation = int(num_targets * validation_fraction)
    num_test = num_targets - num_train - num_validation
    for part, count in (("train", num_train), ("validation", num_validation),
                        ("test", num_test)):
        if count < 1:
            raise SeriesError(SeriesProblem(f"empty_{part}"), targets=num_targets)
    # The scaler sees only values inside the training part (inputs and targets).
    train_values = values[:window + num_train]
    mean, scale = float(train_values.mean()), float(train_values.std())
    scale = scale if scale > 1e-12 else 1.0
    scaled = (values - mean) / scale
    x = np.lib.stride_tricks.sliding_window_view(scaled[:-1], window)[..., None]
    y = scaled[window:]
    cut_a, cut_b = num_train, num_train + num_validation
    return SeriesSplit(window, mean, scale, x[:cut_a], y[:cut_a], x[cut_a:cut_b],
                       y[cut_a:cut_b], x[cut_b:], y[cut_b:],
                       np.arange(window + cut_b, len(values)),
                       (window + cut_a, window + cut_b))


def naive_forecast(split: SeriesSplit) -> np.ndarray:
    """The last-value baseline on the test part, in the series' units: tomorrow
    equals today."""
    return split.unscale(split.x_test[:, -1, 0])


def root_mean_squared_error(truth: np.ndarray, forecast: np.ndarray) -> float:
    """RMSE = √(mean((forecast − truth)²)).

    >>> root_mean_squared_error(np.array([0.0, 0.0]), np.array([3.0, 4.0]))
    3.5355339059327378
    """
    return float(np.sqrt(np.mean((np.asarray(forecast) - np.asarray(truth)) ** 2)))


def leaves_range(seen: np.ndarray, later: np.ndarray, margin: float = 0.1) -> bool:
    """Does ``later`` go beyond the range of ``seen`` by more than ``margin`` of
    that range? (A point or two of noise just past the edge does not count.)

    >>> leaves_range(np.array([-1.0, 1.0]), np.array([0.5, 1.1]))
    False
    >>> leaves_range(np.array([-1.0, 1.0]), np.array([0.5, 1.5]))
    True
    """
    low, high = float(np.min(seen)), float(np.max(seen))
    slack = margin * (high - low)
    return bool(np.max(later) > high + slack or np.min(later) < low - slack)
