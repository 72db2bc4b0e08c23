"""Batch vs mini-batch vs stochastic gradient descent on one neuron ŷ = w·x + b:
the epochs/batches/iterations arithmetic, the three paths on the MSE contour and
the loss per iteration and per epoch."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components import optimizers_charts as charts
from components.i18n import t
from components.optimizers_lab import SETTINGS
from core.batch_descent import (
    NUM_SAMPLES,
    DescentPath,
    epoch_orders,
    iterations_per_epoch,
    least_squares,
    make_regression_data,
    minibatch_descent,
    mse_surface,
)
from core.landscapes import widen_window

CIFAR_IMAGES, CIFAR_BATCH = 50_000, 32


def _kind(batch_size: int) -> str:
    if batch_size == NUM_SAMPLES:
        return "batch"
    return "stochastic" if batch_size == 1 else "minibatch"


def _name(batch_size: int) -> str:
    return t(f"optimizers.batch.{_kind(batch_size)}", b=batch_size)


def arithmetic_ui(batch_size: int, num_epochs: int) -> None:
    """Samples / batch size = iterations per epoch, computed, twice."""
    per_epoch = iterations_per_epoch(NUM_SAMPLES, batch_size)
    last = NUM_SAMPLES - (per_epoch - 1) * batch_size
    cifar = iterations_per_epoch(CIFAR_IMAGES, CIFAR_BATCH)
    cifar_last = CIFAR_IMAGES - (cifar - 1) * CIFAR_BATCH
    st.markdown(t("optimizers.batch.arithmetic", n=NUM_SAMPLES, b=batch_size,
                  exact=f"{NUM_SAMPLES / batch_size:g}", per_epoch=per_epoch,
                  epochs=num_epochs, total=per_epoch * num_epochs))
    if last != batch_size:
        st.caption(t("optimizers.batch.partial", n=NUM_SAMPLES, last=last,
                     b=batch_size))
    st.markdown(t("optimizers.batch.cifar", n=f"{CIFAR_IMAGES:,}", b=CIFAR_BATCH,
                  exact=f"{CIFAR_IMAGES / CIFAR_BATCH:,g}", steps=f"{cifar:,}",
                  last=cifar_last))


def _orders_caption(orders: list[np.ndarray], shuffle: bool) -> None:
    shown = [", ".join(str(i) for i in order[:8]) + ", …" for order in orders[:2]]
    st.caption(t("optimizers.batch.orders_shuffled" if shuffle
                 else "optimizers.batch.orders_fixed", first=shown[0],
                 second=shown[-1]))


def _window(x: np.ndarray, y: np.ndarray, runs: dict[int, DescentPath]
            ) -> tuple[float, float, float, float]:
    best = least_squares(x, y)
    points = [best, tuple(runs[NUM_SAMPLES].weights[0])]
    for run in runs.values():
        points += [tuple(np.clip(p, -50, 50)) for p in run.weights[::10]]
    return widen_window((best[0] - 1, best[0] + 1, best[1] - 1, best[1] + 1), points)


@st.cache_data(max_entries=64, show_spinner=False)
def descents(seed: int, shuffle: bool, num_epochs: int, rate: float, batch_size: int
             ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray],
                        dict[int, DescentPath]]:
    """The data, each epoch's order and the runs with all the data, with the
    chosen batch size and with one sample (cached: shared by the class)."""
    x, y = make_regression_data(seed)
    orders = epoch_orders(seed, NUM_SAMPLES, num_epochs, shuffle)
    sizes = list(dict.fromkeys((NUM_SAMPLES, batch_size, 1)))
    return x, y, orders, {size: minibatch_descent(x, y, size, rate, orders)
                          for size in sizes}


def batch_section() -> None:
    batch_size = int(SETTINGS.get("batch"))
    shuffle, seed = bool(SETTINGS.get("shuffle")), int(SETTINGS.get("seed"))
    num_epochs, rate = int(SETTINGS.get("epochs")), float(SETTINGS.get("batch_lr"))
    arithmetic_ui(batch_size, num_epochs)
    x, y, orders, runs = descents(seed, shuffle, num_epochs, rate, batch_size)
    _orders_caption(orders, shuffle)
    window = _window(x, y, runs)
    w_values = np.linspace(window[0], window[1], 81)
    b_values = np.linspace(window[2], window[3], 81)
    grid = (w_values, b_values, mse_surface(x, y, w_values, b_values))
    best = least_squares(x, y)
    left, right = st.columns(2)
    left.plotly_chart(charts.batch_paths_figure(
        grid, [(_name(s), run.weights) for s, run in runs.items()], best,
        {"title": t("optimizers.chart.batch_paths"), "loss": "MSE",
         "best": t("optimizers.chart.best")}), key="optimizers_batch_paths")
    right.plotly_chart(charts.batch_loss_figure(
        [(_name(s), run.batch_losses, run.epoch_losses, run.iterations_per_epoch)
         for s, run in runs.items()],
        {"title": t("optimizers.chart.batch_loss"), "epoch": t("optimizers.epochs"),
         "loss": "MSE", "per_iteration": t("optimizers.chart.per_iteration"),
         "per_epoch": t("optimizers.chart.per_epoch")}), key="optimizers_batch_loss")
    lines = []
    for size, run in runs.items():
        w, b = run.weights[-1]
        lines.append("- " + t("optimizers.batch.result", name=_name(size),
                              updates=len(run.weights) - 1, w=f"{w:.3f}", b=f"{b:.3f}",
                              loss=f"{run.epoch_losses[-1]:.4g}"))
    st.markdown("\n".join(lines))
    st.caption(t("optimizers.batch.best", w=f"{best[0]:.3f}", b=f"{best[1]:.3f}",
                 loss=f"{float(np.mean((best[0] * x + best[1] - y) ** 2)):.4g}"))
