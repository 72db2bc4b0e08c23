"""The Training lab's settings: dataset, model, optimizer — each a URL parameter."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import streamlit as st

from components.i18n import current_language, t
from components.url_state import LessonSettings
from core.architecture import Summary, summarize
from core.datasets import DatasetUnavailable, ImageDataset, load_image_dataset
from core.models import LOSSES, MODEL_PRESETS, OPTIMIZERS, ModelChoice, model_layers

DATASETS = ("mnist", "fashion_mnist", "cifar10", "digits")
SUBSETS = (1000, 2000, 5000, 10000, 0)  # 0: all
MODELS = ("custom_mlp", "custom_cnn", *MODEL_PRESETS)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "leaky_relu")
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0,
                  3.0, 10.0)
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024, 4096)


@dataclass(frozen=True)
class TrainSettings:
    """The lesson's defaults; every field is also a URL parameter."""

    dataset: str = "mnist"
    subset: int = 5000
    model: str = "custom_mlp"
    hidden: str = "128"
    activation: str = "relu"
    dropout: float = 0.0
    batch_norm: bool = False
    l1: float = 0.0
    l2: float = 0.0
    filters: str = "16, 32"
    kernel: int = 3
    optimizer: str = "adam"
    lr: float = 0.001
    loss: str = "sparse_categorical_crossentropy"
    batch: int = 32
    epochs: int = 5
    val: float = 0.1
    seed: int = 0


DEFAULTS = TrainSettings()
# Settings that teacher mode hides (components/teacher.py).
ADVANCED = (
    "subset", "dropout", "batch_norm", "l1", "l2", "optimizer", "loss", "val",
    "seed")
SETTINGS = LessonSettings("train", DEFAULTS, ADVANCED)
key = SETTINGS.key
LIMITS = {"dropout": (0.0, 0.9), "l1": (0.0, 1.0), "l2": (0.0, 1.0),
          "kernel": (1, 7), "epochs": (1, 100), "val": (0.0, 0.5),
          "seed": (0, 10**6)}
CHOICES = {"dataset": DATASETS, "subset": SUBSETS, "model": MODELS,
           "activation": ACTIVATIONS, "optimizer": OPTIMIZERS,
           "lr": LEARNING_RATES, "loss": LOSSES, "batch": BATCH_SIZES}


def restore_settings() -> None:
    SETTINGS.restore(LIMITS, CHOICES)


@st.cache_resource(show_spinner=False, max_entries=16)
def _dataset(name: str, subset: int, allow_download: bool) -> ImageDataset:
    """One read-only copy per server, shared by every session."""
    return load_image_dataset(name, subset=subset or None,
                              allow_download=allow_download)


def class_names(data: ImageDataset) -> tuple[str, ...]:
    return data.class_names_zh if current_language() == "zh" else data.class_names


def dataset_ui() -> ImageDataset:
    """Dataset and subset; a dataset that is not here says where its file goes."""
    left, right = st.columns([2, 1])
    name = left.selectbox(t("train.dataset"), DATASETS, key=key("dataset"),
                          format_func=lambda d: t(f"dataset.{d}"))
    subset = right.select_slider(
        t("train.subset"), SUBSETS, key=key("subset"),
        format_func=lambda n: f"{n:,}" if n else t("train.all"))
    try:
        with st.spinner(t("train.loading_data")):
            data = _dataset(name, subset,
                            st.session_state.get("train_download", False))
    except DatasetUnavailable as error:
        st.error(t(f"dataset_error.{error.code}", **_shown(error.details)),
                 icon=":material/cloud_off:")
        _download_button()
        st.info(t("train.using_mnist"), icon=":material/info:")
        data = _dataset("mnist", subset, False)
    if data.problem is not None:  # a corrupt cache file: we use the offline digits
        st.warning(t("dataset_error.corrupt_cache_fallback",
                     **_shown(data.problem.details)), icon=":material/broken_image:")
        _download_button()
    st.caption(t(f"data_source.{data.source}", detail=data.source_detail,
                 train=f"{len(data.x_train):,}", test=f"{len(data.x_test):,}",
                 shape="×".join(map(str, data.image_shape))))
    return data


def _download_button() -> None:
    """Let Keras fetch the file (again): a missing or corrupt cache, when online."""
    if st.button(t("train.try_download"), key="train_download_button",
                 icon=":material/download:"):
        st.session_state["train_download"] = True
        st.rerun()


def _shown(details: dict) -> dict:
    return {k: ", ".join(v) if isinstance(v, tuple) else v for k, v in details.items()}


def _sizes(text: str, name: str) -> tuple[int, ...] | None:
    """"128, 64" → (128, 64); a bad entry is reported and None returned."""
    try:
        sizes = tuple(int(part) for part in text.replace("，", ",").split(",")
                      if part.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        st.error(t("train.bad_sizes", name=name, text=text), icon=":material/error:")
        return None
    return sizes


def model_ui(data: ImageDataset) -> tuple[ModelChoice, tuple, list, Summary] | None:
    """A documents' model or your own MLP/CNN: (choice, input shape, layers,
    summary), or None (with a message) when it cannot be built."""
    model = st.selectbox(t("train.model"), MODELS, key=key("model"),
                         format_func=lambda m: t(f"train_model.{m}"))
    cols = st.columns(4)
    l1 = cols[2].number_input("L1", 0.0, 1.0, step=1e-4, format="%.4f",
                              key=key("l1"), help=t("train.l1_help"))
    l2 = cols[3].number_input("L2", 0.0, 1.0, step=1e-4, format="%.4f",
                              key=key("l2"), help=t("train.l2_help"))
    if model in MODEL_PRESETS:
        choice = dataclasses.replace(MODEL_PRESETS[model], l1=l1, l2=l2)
    else:
        choice = _custom_ui(model, cols, l1, l2)
        if choice is None:
            return None
    input_shape = tuple(data.x_train.shape[1:3]) + (
        data.x_train.shape[3] if data.x_train.ndim == 4 else 1,)
    try:
        layers = model_layers(choice, input_shape, data.num_classes)
        return choice, input_shape, layers, summarize(input_shape, layers)
    except ValueError as error:  # a CNN too deep for 8×8 digits, say
        from components.arch_sections import error_text

        text = error_text(error) if hasattr(error, "code") else str(error)
        st.error(t("train.model_refused", message=text), icon=":material/error:")
        return None


def _custom_ui(model: str, cols: list, l1: float, l2: float) -> ModelChoice | None:
    kind = "cnn" if model == "custom_cnn" else "mlp"
    activation = cols[0].selectbox(t("train.activation"), ACTIVATIONS,
                                   key=key("activation"))
    dropout = cols[1].slider(t("train.dropout"), 0.0, 0.9, step=0.05,
                             key=key("dropout"))
    left, middle, right = st.columns(3)
    hidden = _sizes(left.text_input(t("train.hidden"), key=key("hidden"),
                                    help=t("train.hidden_help")), t("train.hidden"))
    batch_norm = right.toggle(t("train.batch_norm"), key=key("batch_norm"))
    filters: tuple[int, ...] | None = (16, 32)
    kernel = 3
    if kind == "cnn":
        filters = _sizes(middle.text_input(t("train.filters"), key=key("filters"),
                                           help=t("train.filters_help")),
                         t("train.filters"))
        kernel = right.number_input(t("train.kernel"), 1, 7, step=2,
                                    key=key("kernel"))
    if hidden is None or filters is None:
        return None
    return ModelChoice(kind, hidden, activation, dropout, batch_norm, l1, l2,
                       filters, kernel, True, None)


def optimizer_ui() -> dict:
    """Optimizer, learning rate (log steps), loss, batch size, epochs, split, seed."""
    cols = st.columns(3)
    optimizer = cols[0].selectbox(t("train.optimizer"), OPTIMIZERS,
                                  key=key("optimizer"),
                                  format_func=lambda o: t(f"optimizer.{o}"))
    lr = cols[1].select_slider(t("train.lr"), LEARNING_RATES, key=key("lr"),
                               format_func=lambda v: f"{v:g}")
    loss = cols[2].selectbox(t("train.loss"), LOSSES, key=key("loss"))
    st.caption(t(f"loss_help.{loss}"))
    cols = st.columns(4)
    batch = cols[0].select_slider(t("train.batch"), BATCH_SIZES, key=key("batch"))
    epochs = cols[1].number_input(t("train.epochs"), 1, 100, key=key("epochs"))
    val = cols[2].slider(t("train.val"), 0.0, 0.5, step=0.05, key=key("val"))
    seed = cols[3].number_input(t("train.seed"), 0, 10**6, key=key("seed"))
    return {"optimizer": optimizer, "learning_rate": lr, "loss": loss,
            "batch_size": batch, "epochs": epochs, "validation_split": val,
            "seed": seed}


def steps_text(num_train: int, batch_size: int) -> str:
    """The documents' arithmetic: 50,000 / 32 = 1,563 steps per epoch."""
    steps = math.ceil(num_train / batch_size)
    return t("train.steps", n=f"{num_train:,}", batch=batch_size, steps=f"{steps:,}")
