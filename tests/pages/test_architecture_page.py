"""The shape & parameter calculator through AppTest, in both languages: the table
shows what core computes, presets reproduce the documents' figures, pasted code
is read (never run), and every kind of bad input gets a message while the last
good network stays on screen."""

import pytest
from streamlit.testing.v1 import AppTest

from core.architecture import summarize
from core.presets import PRESETS
from tests.pages.conftest import REPO_ROOT, all_text, assert_no_exception, run_page

PAGE = "pages/architecture.py"


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def table(app):
    """The summary table (the layer editor, when shown, is a dataframe too)."""
    return next(frame.value for frame in app.dataframe if frame.value.shape[1] == 7)


def total(app) -> str:
    return app.metric[0].value


def choose_mode(app, mode: str):
    app.segmented_control(key="arch_mode").set_value(mode).run()
    return app


def paste(app, code: str):
    app.text_area(key="arch_code").input(code).run()
    return app


def test_default_is_the_documents_small_cnn(lang):
    app = run_page(PAGE, lang)
    assert_no_exception(app)
    rows = table(app)
    assert list(rows.iloc[:, 3]) == ["490", "1,820", "0", "12,810"]
    assert rows.iloc[0, 4] == "(4·4·3 + 1)·10 = 490"
    assert rows.iloc[0, 2] == "(None, 16, 16, 10)"
    assert total(app) == "15,120"
    title = {"en": "Shapes & parameters", "zh": "输出形状与参数量"}[lang]
    assert app.title[0].value == title


@pytest.mark.parametrize("preset, expected", [
    ("cifar_mlp", "646,260"), ("full_cnn", "592,554"), ("listing_4_3", "40,330"),
    ("denoising_autoencoder", "105,392"), ("fashion_mlp", "266,610"),
    ("dense_bottleneck", "16,778,240"), ("vgg16", "138,357,544"),
])
def test_presets_reproduce_the_documents_totals(preset, expected):
    app = run_page(PAGE, "en", preset=preset)
    assert total(app) == expected
    network = PRESETS[preset]
    computed = summarize(network.input_shape, network.layers).total_params
    assert total(app) == f"{computed:,}"


def test_full_cnn_has_640_non_trainable_and_names_the_bottleneck(lang):
    app = run_page(PAGE, lang, preset="full_cnn")
    assert app.metric[2].value == "640"
    assert "dense" in all_text(app) and "524,416" in all_text(app)


def test_choosing_a_preset_in_the_selectbox():
    app = run_page(PAGE, "en")
    app.selectbox(key="arch_preset").set_value("cifar_mlp").run()
    assert total(app) == "646,260"
    assert app.query_params["preset"] == "cifar_mlp"


def test_listing_4_2_is_refused_at_the_third_conv_with_the_arithmetic(lang):
    app = run_page(PAGE, lang, preset="listing_4_2")
    assert_no_exception(app)
    errors = " ".join(e.value for e in app.error)
    assert "Conv2D #3" in errors and "6 − 7 + 1 = 0" in errors
    rows = table(app)
    assert len(rows) == 3 and rows.iloc[2, 2] == "✗"  # the refused row, last
    assert total(app) == f"{3904 + 25120:,}"  # the two layers that worked


def test_one_layer_formula_and_a_window_that_does_not_fit():
    app = run_page(PAGE, "en")
    assert "⌊(7 + 2·0 − 3) / 1⌋ + 1 = ⌊4 / 1⌋ + 1 = 5" in all_text(app)
    app.number_input(key="arch_f").set_value(9).run()
    assert "does not fit" in " ".join(e.value for e in app.error)
    app.number_input(key="arch_p").set_value(1).run()
    assert "= 1 → the output is **1 × 1**" in all_text(app)


def test_exercise_2_walkthrough_ends_in_8_8_32():
    app = run_page(PAGE, "en")
    assert "(None, 8, 8, 32)" in all_text(app)


def test_pasted_code_is_read_and_a_broken_paste_keeps_the_last_network():
    app = choose_mode(run_page(PAGE, "en"), "code")
    paste(app, "from tensorflow import keras\n"
               "model = keras.Sequential([\n"
               "    keras.layers.Flatten(input_shape=[28, 28]),\n"
               "    keras.layers.Dense(300, activation='relu'),\n"
               "    keras.layers.Dense(100, activation='relu'),\n"
               "    keras.layers.Dense(10, activation='softmax')])\n")
    assert_no_exception(app)
    assert total(app) == "266,610"
    paste(app, "model = keras.Sequential([\n    layers.Dense(10,\n")  # cut short
    assert_no_exception(app)
    assert app.error, "a syntax error must be explained"
    assert total(app) == "266,610"  # the last good network is still shown


def test_pasted_code_never_runs(tmp_path):
    marker = tmp_path / "ran.txt"
    app = choose_mode(run_page(PAGE, "en"), "code")
    paste(app, f"__import__('pathlib').Path({str(marker)!r}).write_text('x')\n"
               "model = Sequential([Input((4,)), Dense(2)])\n")
    assert_no_exception(app)
    assert not marker.exists()
    assert app.error


def test_a_billion_units_is_summarised_not_built():
    app = choose_mode(run_page(PAGE, "en"), "code")
    paste(app, "model = Sequential([Input((1000,)), Dense(1_000_000_000)])")
    assert_no_exception(app)
    assert total(app) == f"{1001 * 10**9:,}"
    assert "GB" in app.metric[3].value or "MB" in app.metric[3].value


def test_dense_on_an_image_is_legal_and_explained():
    app = run_page(PAGE, "en", mode="editor", input="8,8,3", net="Dense(5)")
    assert_no_exception(app)
    assert table(app).iloc[0, 2] == "(None, 8, 8, 5)"
    assert "acts on its last axis only" in all_text(app)


def test_a_network_in_the_link_reopens_in_the_editor(lang):
    app = run_page(PAGE, lang, mode="editor", input="32,32,3",
                   net="Conv2D(10, 4, strides=2, padding='same'); Flatten(); "
                       "Dense(10)")
    assert_no_exception(app)
    assert total(app) == f"{490 + 25610:,}"
    assert app.query_params["net"].startswith("Conv2D(10, 4, strides=2")


@pytest.mark.parametrize("query, expected", [
    ({"preset": "nothing"}, "not one of the choices"),
    ({"mode": "editor", "input": "32,32,3", "net": "Conv3D(2)"},
     "could not be read"),
    ({"n": "0"}, "outside 1"),
])
def test_bad_links_get_a_message_and_the_page_still_works(query, expected):
    app = run_page(PAGE, "en", **query)
    assert_no_exception(app)
    assert expected in all_text(app)
    assert total(app)


def test_verify_with_keras_agrees_on_every_row():
    # Opened directly: through app.py's navigation, AppTest drops the click of a
    # button (any page, any button outside a top-level fragment); browsers do not.
    app = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=120)
    app.query_params["lang"] = "en"
    app.run()
    app.button(key="arch_verify").click().run()
    assert_no_exception(app)
    assert not app.error, [e.value for e in app.error]
    assert "All 4 rows agree with Keras." in " ".join(s.value for s in app.success)


def test_every_error_code_has_a_message_in_both_languages():
    import string

    from core.keras_parser import PARSE_MESSAGES
    from core.layer_spec import MESSAGES

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    from components.i18n import load_catalog
    catalogs = {lang: load_catalog(lang) for lang in ("en", "zh")}
    for code, english in {**MESSAGES, **PARSE_MESSAGES}.items():
        for lang, catalog in catalogs.items():
            text = catalog.get(f"arch_error.{code}")
            assert text, f"arch_error.{code} missing in {lang}"
            assert fields(text) <= fields(english) | {"hint"}, (lang, code)

