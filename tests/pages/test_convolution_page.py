"""The convolution lesson through AppTest, in both languages: what is drawn is
what core computes, controls change sizes and maps, bad input gets a message."""

import numpy as np
import pytest
from PIL import Image

from core.convolution import KERNELS, conv2d, layer_shapes
from core.imaging import to_grayscale_array
from core.samples import load_sample_image
from tests.pages.conftest import all_text, assert_no_exception, chart_data, run_page

PAGE = "pages/convolution.py"


def heatmap(app, index: int) -> np.ndarray:
    return np.array(chart_data(app, index)[0]["z"], dtype=float)


def coffee(size: int = 128) -> np.ndarray:
    return to_grayscale_array(Image.fromarray(load_sample_image("coffee")), size)


def latex(app) -> str:
    return "\n".join(e.value for e in app.get("latex"))


def test_default_map_is_the_documents_horizontal_edge_filter_on_the_cup(lang):
    app = run_page(PAGE, lang)
    expected = conv2d(coffee(), KERNELS["horizontal_edge"], 1, "same")
    np.testing.assert_allclose(heatmap(app, 0), coffee(), atol=1e-6)
    np.testing.assert_allclose(heatmap(app, 1), expected, atol=1e-5)
    assert r"\left\lceil \frac{85}{1} \right\rceil = 85" in latex(app)
    heading = {"en": "Convolution filters", "zh": "卷积滤波器"}[lang]
    assert app.title[0].value == heading


def test_stride_and_padding_change_the_size_and_the_map():
    app = run_page(PAGE, "en")
    app.slider(key="conv_stride").set_value(2).run()
    assert heatmap(app, 1).shape == (43, 64)
    assert r"\left\lceil \frac{85}{2} \right\rceil = 43" in latex(app)
    app.get("button_group")[0].set_value("valid").run()  # the padding control
    assert_no_exception(app)
    assert heatmap(app, 1).shape == (42, 63)
    formula = r"\left\lfloor \frac{85 + 2\cdot 0 - 3}{2} \right\rfloor + 1 = 42"
    assert formula in latex(app)
    assert app.query_params["stride"] == "2" and app.query_params["padding"] == "valid"


def test_preset_changes_the_map():
    app = run_page(PAGE, "en")
    before = heatmap(app, 1)
    app.selectbox(key="conv_kernel").set_value("sobel_x").run()
    after = heatmap(app, 1)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, conv2d(coffee(), KERNELS["sobel_x"], 1, "same"),
                               atol=1e-5)


def test_both_edge_filters_and_channels_table(lang):
    app = run_page(PAGE, lang, size="64")
    gray = coffee(64)
    horizontal = conv2d(gray, KERNELS["horizontal_edge"], 1, "same")
    vertical = conv2d(gray, KERNELS["vertical_edge"], 1, "same")
    maps = [heatmap(app, i) for i in range(len(app.get("plotly_chart")))]
    assert any(m.shape == horizontal.shape and np.allclose(m, horizontal, atol=1e-5)
               for m in maps)
    assert any(m.shape == vertical.shape and np.allclose(m, np.hypot(horizontal,
                                                                      vertical),
                                                          atol=1e-5) for m in maps)
    table = app.table[0].value
    shapes = layer_shapes(32, 43, 64, 3, 5, 16, 1, "same")
    # AppTest formats selectbox values in the test thread, where the session's
    # language is unknown: interact in English only (the browser is unaffected).
    english = run_page(PAGE, "en", size="64")
    english.slider(key="conv_ch_stride").set_value(2).run()
    assert str(list(layer_shapes(32, 43, 64, 3, 5, 16, 2, "same")["output"])) in (
        english.table[0].value.to_string())
    assert str(list(shapes["output"])) in table.to_string()
    assert "1,216" in table.to_string()


def test_step_through_the_documents_patches():
    app = run_page(PAGE, "en", grid="second")
    text = all_text(app)
    assert "**0.3**" in text
    assert "prints -0.1" in text and "the printed value is wrong" in text
    app = run_page(PAGE, "en", grid="first")
    assert "**2.8**" in all_text(app) and "arithmetic agrees" in all_text(app)


def test_next_button_slides_the_window():
    app = run_page(PAGE, "en")
    app.button(key="conv_step_next").click().run()
    assert app.number_input(key="conv_col").value == 1
    for _ in range(4):
        app.button(key="conv_step_next").click().run()
    assert (app.number_input(key="conv_row").value,
            app.number_input(key="conv_col").value) == (1, 0)
    assert "**2.2**" in all_text(app)  # the window now straddles the edge


def test_step_sum_has_no_float_noise():
    app = run_page(PAGE, "en")
    assert "= **0**" in all_text(app)


@pytest.mark.parametrize("query, expected", [
    ({"stride": "9"}, "outside 1 … 4"),
    ({"kernel": "bogus"}, "not one of the choices"),
    ({"image": "nothing"}, "not one of the choices"),
    ({"k": "1,abc,1,0,,0,-1,-1,-1"}, "(row 1, column 2) is not a number"),
    ({"image": "upload"}, "No picture uploaded yet"),
    ({"image": "draw"}, "Nothing drawn yet"),
])
def test_bad_links_get_a_message_and_the_page_still_works(query, expected):
    app = run_page(PAGE, "en", **query)
    assert expected in all_text(app)
    assert len(app.get("plotly_chart")) >= 2


def test_edited_kernel_cells_round_trip_through_the_url():
    app = run_page(PAGE, "en", k="0,0,0,0,2,0,0,0,0", kernel="identity")
    np.testing.assert_allclose(heatmap(app, 1), 2 * coffee(), atol=1e-5)
    assert app.query_params["k"] == "0,0,0,0,2,0,0,0,0"
