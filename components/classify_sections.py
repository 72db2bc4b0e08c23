"""Sections of the "classify an image" lesson: the preparation steps, the
prediction, why (occlusion, first-layer feature maps) and a grid for many."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from components import classify_charts as charts
from components import classify_lab as lab
from components.i18n import current_language, t
from components.plot_style import CRISP_IMAGE
from components.train_charts import mosaic_figure
from core.classifiers import predict_probabilities
from core.classify import PredictionError, Prepared, occlusion_map, prepare_image, top_k

GRID_COLUMNS = 5


def prepare(slot: lab.ModelSlot, name: str, picture: Image.Image) -> Prepared | None:
    """The picture prepared for the model, or None with a message."""
    try:
        return prepare_image(picture, slot.dataset, slot.input_shape)
    except PredictionError as error:
        st.info(t(f"classify.{error.code}", name=name), icon=":material/draw:")
        return None


def probabilities(slot: lab.ModelSlot, batch: np.ndarray) -> np.ndarray:
    return predict_probabilities(slot.model, batch)


def draw_steps(slot: lab.ModelSlot, prepared: Prepared, class_index: int) -> None:
    """Each preparation step, then a training image of the predicted class."""
    typical = lab.typical_image(slot, class_index)
    shown = list(prepared.steps) + ([("typical", typical)] if typical is not None
                                    else [])
    for column, (step, pixels) in zip(st.columns(len(shown)), shown, strict=True):
        column.image(charts.picture_png(pixels), **CRISP_IMAGE)
        height, width = pixels.shape[:2]
        column.caption(t(f"step.{step}", height=height, width=width,
                         label=slot.class_names[class_index]))


def draw_prediction(slot: lab.ModelSlot, probs: np.ndarray, top: int) -> int:
    """The answer in words and the top-k bars; returns the predicted class."""
    best = top_k(probs, top)
    index, confidence = best[0]
    label = slot.class_names[index]
    if slot.other_names and slot.other_names[index] != label:
        label = f"{label}（{slot.other_names[index]}）" if current_language() == "zh" \
            else f"{label} ({slot.other_names[index]})"
    st.markdown(t("classify.answer", label=label, confidence=f"{confidence:.1%}"))
    if confidence < 0.5:
        st.caption(t("classify.unsure"))
    st.plotly_chart(charts.topk_figure(
        [slot.class_names[i] for i, _ in best], [p for _, p in best],
        t("classify.topk_title", k=len(best))), key="classify_topk")
    return index


def _occlusion_size(side: int) -> tuple[int, int]:
    """Patch about a quarter of the side (a stroke's worth of a digit), moved a
    quarter of a patch at a time for a smooth map."""
    patch = max(2, round(side / 4))
    return patch, max(1, patch // 3)


def draw_why(slot: lab.ModelSlot, prepared: Prepared, class_index: int) -> None:
    """Occlusion sensitivity for the predicted class; first-layer feature maps."""
    patch, stride = _occlusion_size(prepared.x.shape[1])
    st.markdown(t("classify.why_intro", patch=patch, stride=stride,
                  label=slot.class_names[class_index]))
    heavy = slot.dataset == "imagenet"
    if heavy and not st.toggle(t("classify.why_heavy"), key="classify_why_heavy"):
        return
    drop = _occlusion(f"{slot.key}-{id(slot.model)}", prepared.x, class_index, patch,
                      stride, prepared.fill, 16 if heavy else 128, slot)
    left, right = st.columns([1, 2], vertical_alignment="center")
    left.image(charts.picture_png(prepared.image, 224), **CRISP_IMAGE)
    left.caption(t("classify.what_it_sees"))
    right.plotly_chart(charts.occlusion_figure(
        drop, t("classify.occlusion_title"), t("classify.drop")),
        key="classify_occlusion")
    maps = first_layer_maps(slot, prepared.x)
    if maps is not None:
        st.plotly_chart(mosaic_figure(
            np.moveaxis(maps, -1, 0), min(8, maps.shape[-1]),
            t("classify.maps_title", count=maps.shape[-1]), diverging=False),
            key="classify_maps")


@st.cache_data(show_spinner=False, max_entries=32)
def _occlusion(model_id: str, x: np.ndarray, class_index: int, patch: int,
               stride: int, fill: float, batch_size: int,
               _slot: lab.ModelSlot) -> np.ndarray:
    """The occlusion map, computed once per model, picture and class (a rerun for
    another top-k or language would otherwise repeat ~100 predictions)."""
    return occlusion_map(lambda batch: probabilities(_slot, batch), x, class_index,
                         patch, stride, fill, batch_size=batch_size)


def first_layer_maps(slot: lab.ModelSlot, x: np.ndarray) -> np.ndarray | None:
    """The first Conv2D layer's output for ``x`` (H×W×filters), or None."""
    layer = _first_conv(slot.model)
    if layer is None or slot.dataset == "imagenet":
        return None
    extractor = _extractor(slot.key, id(slot.model), slot.model, layer.name)
    return np.asarray(extractor(x, training=False))[0]


def _first_conv(model: Any) -> Any:
    return next((layer for layer in model.layers
                 if type(layer).__name__ == "Conv2D"), None)


@st.cache_resource(show_spinner=False, max_entries=16)
def _extractor(slot_key: str, model_id: int, _model: Any, layer_name: str) -> Any:
    from core.keras_import import load_keras

    keras = load_keras()
    return keras.Model(_model.input, _model.get_layer(layer_name).output)


def draw_grid(slot: lab.ModelSlot, named: list[tuple[str, Prepared]],
              probs: np.ndarray) -> None:
    """Every picture with its predicted class and confidence, five a row."""
    for start in range(0, len(named), GRID_COLUMNS):
        columns = st.columns(GRID_COLUMNS)
        for column, (name, prepared), row in zip(
                columns, named[start:start + GRID_COLUMNS],
                probs[start:start + GRID_COLUMNS], strict=False):
            index, confidence = top_k(row, 1)[0]
            column.image(charts.picture_png(prepared.image, 112), **CRISP_IMAGE)
            column.markdown(t("classify.grid_item", label=slot.class_names[index],
                              confidence=f"{confidence:.0%}"))
            column.caption(name)
