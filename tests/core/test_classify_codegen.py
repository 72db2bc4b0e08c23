"""The "classify your own picture" script: it parses for every model, loads and
prepares as the lesson does, runs end to end on the offline MNIST digits (fed in
through a patched ``keras.datasets.mnist.load_data``), and its ``prepare()`` gives
the very pixels ``core.classify.prepare_image`` gives the model in the app.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import re
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from core.classifiers import SHARED_CHOICES, SHARED_EPOCHS
from core.classify import LOOKS, prepare_image
from core.classify_codegen import classify_script, script_file_name
from core.datasets import load_image_dataset
from core.imaging import read_image
from tests.drawings import draw_digit

SHAPES = {"mnist": (28, 28, 1), "digits": (8, 8, 1), "fashion_mnist": (28, 28, 1),
          "cifar10": (32, 32, 3), "imagenet": (224, 224, 3)}


def calls_in(script: str) -> set[str]:
    return {ast.unparse(node.func) for node in ast.walk(ast.parse(script))
            if isinstance(node, ast.Call)}


def undefined_names(script: str) -> set[str]:
    """Names the script reads at module level or in functions but never binds,
    imports or gets from builtins (a rough, conservative check)."""
    tree = ast.parse(script)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0]
                      for alias in node.names}
        elif isinstance(node, ast.FunctionDef):
            bound.add(node.name)
            bound |= {arg.arg for arg in node.args.args}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.comprehension):
            bound |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    used = {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return used - bound


# ------------------------------------------------------------------ text


@pytest.mark.parametrize("dataset", list(LOOKS))
def test_script_parses_and_names_nothing_undefined(dataset):
    script = classify_script(dataset, SHAPES[dataset])
    ast.parse(script)
    assert undefined_names(script) == set()
    assert f"Classify your own picture ({dataset})" in script
    assert {"prepare", "Image.open", "np.argsort" if dataset != "imagenet"
            else "keras.applications.mobilenet_v2.decode_predictions"} <= calls_in(
                script)
    assert "sys.argv[1]" in script


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist", "cifar10"])
def test_shared_models_train_with_keras_own_loader(dataset):
    script = classify_script(dataset, SHAPES[dataset])
    assert f"keras.datasets.{dataset}.load_data()" in script
    assert f"epochs={SHARED_EPOCHS[dataset]}" in script and "batch_size=32" in script
    assert f"keras.Input(shape={SHAPES[dataset]})" in script
    assert "keras.utils.set_random_seed(0)" in script
    assert ("y_train.ravel()" in script) == (dataset == "cifar10")  # (n, 1) labels
    assert ("[..., np.newaxis]" in script) == (dataset != "cifar10")
    filters = SHARED_CHOICES[dataset].conv_filters
    assert re.findall(r"layers\.Conv2D\((\d+),", script) == [str(f) for f in filters]


def test_each_look_has_its_preparation():
    digit = classify_script("mnist", SHAPES["mnist"])
    assert "def center_of_mass" in digit and "0.15 * ink.max()" in digit
    assert "20 / max(crop.shape)" in digit and "alpha_composite" in digit
    small = classify_script("digits", SHAPES["digits"])
    assert "(8, 8), Image.Resampling.BOX" in small
    assert 'keras.models.load_model(' in small
    assert "keras.datasets" not in small  # a Training lab model: no training here
    clothes = classify_script("fashion_mnist", SHAPES["fashion_mnist"])
    assert "gray = 255 - gray" in clothes and "1.16" in clothes
    assert "center_of_mass" not in clothes
    for dataset, side in (("cifar10", 32), ("imagenet", 224)):
        photo = classify_script(dataset, SHAPES[dataset])
        assert f"resize(({side}, {side})" in photo and ".convert(\"RGB\")" in photo
    imagenet = classify_script("imagenet", SHAPES["imagenet"])
    assert 'MobileNetV2(weights="imagenet")' in imagenet
    assert "mobilenet_v2.preprocess_input" in imagenet and "/ 255.0" not in imagenet


@pytest.mark.parametrize("dataset", ["bogus", "MNIST", "", "imagenet21k"])
def test_unknown_dataset_is_a_value_error(dataset):
    with pytest.raises(ValueError, match="Unknown dataset"):
        classify_script(dataset, (28, 28, 1))


def test_script_file_name():
    assert script_file_name("mnist") == "classify_mnist.py"
    assert script_file_name("imagenet") == "classify_imagenet.py"


# ------------------------------------------- prepare(): the app's own pixels


def prepare_function(dataset: str):
    """The script's ``prepare`` alone: part 2 of the script, executed without
    Keras (no model is built or trained)."""
    script = classify_script(dataset, SHAPES[dataset])
    header = script[:script.index("\n# 1.")]
    imports = [line for line in header.splitlines()
               if line.startswith(("import ", "from ")) and "keras" not in line]
    assert "import numpy as np" in imports
    start, end = script.index("\n# 2."), script.index("\n# 3.")
    namespace: dict = {}
    exec(compile("\n".join(imports) + script[start:end], f"<prepare {dataset}>",
                 "exec"), namespace)  # our own text
    return namespace["prepare"]


def transparent_canvas(digit: str) -> Image.Image:
    """The digit as black ink on fully transparent black paper (RGBA)."""
    ink = np.asarray(draw_digit(digit))
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[..., 3] = 255 - ink
    return Image.fromarray(rgba)


def shirt(background: int = 255, size: tuple[int, int] = (200, 150)) -> Image.Image:
    picture = Image.new("L", size, background)
    sx, sy = size[0] / 200, size[1] / 150
    ImageDraw.Draw(picture).polygon(
        [(x * sx, y * sy) for x, y in [(60, 20), (140, 20), (180, 50), (160, 70),
                                       (145, 60), (145, 130), (55, 130), (55, 60),
                                       (40, 70), (20, 50)]], fill=90)
    return picture


def coffee(size: tuple[int, int] | None = None) -> Image.Image:
    from skimage import data as skdata

    picture = Image.fromarray(skdata.coffee())  # 600 × 400
    return picture if size is None else picture.resize(size, Image.Resampling.BOX)


def pictures_for(look: str) -> dict[str, Image.Image]:
    if look == "digit":
        return {**{f"drawn_{d}": draw_digit(d) for d in "1074"},
                "negative_7": ImageOps.invert(draw_digit("7")),
                "thin_4": draw_digit("4", pen=8),
                "rgb_0": draw_digit("0").convert("RGB"),
                "transparent_1": transparent_canvas("1")}
    if look == "object":
        return {"shirt_on_white": shirt(255), "shirt_on_black": shirt(0),
                "shirt_rgb": shirt(255).convert("RGB")}
    return {"coffee": coffee(), "coffee_gray": coffee().convert("L"),
            "coffee_portrait": coffee().rotate(90, expand=True)}


def app_image(picture: Image.Image, dataset: str, tmp_path) -> tuple[str, np.ndarray]:
    """Save as PNG (what a student uploads) and prepare it as the app does."""
    path = tmp_path / "picture.png"
    picture.save(path)
    prepared = prepare_image(read_image(path.read_bytes()), dataset, SHAPES[dataset])
    return str(path), prepared.image


@pytest.mark.parametrize("dataset", list(LOOKS))
def test_script_prepare_gives_the_app_s_pixels(dataset, tmp_path):
    prepare = prepare_function(dataset)
    for name, picture in pictures_for(LOOKS[dataset]).items():
        path, expected = app_image(picture, dataset, tmp_path)
        got = np.asarray(prepare(path))
        assert got.dtype == np.uint8 and got.shape == expected.shape, name
        difference = np.abs(got.astype(int) - expected.astype(int)).max()
        assert difference <= 1, (dataset, name, difference)


@pytest.mark.parametrize("dataset, picture", [
    ("imagenet", "small_photo"), ("cifar10", "small_photo"),
    ("fashion_mnist", "small_shirt"), ("fashion_mnist", "transparent_shirt"),
    ("cifar10", "transparent_photo")])
def test_script_prepare_matches_the_app_for_small_or_transparent_pictures(
        dataset, picture, tmp_path):
    """Pictures smaller than the model's input are enlarged (the app: bilinear);
    transparent pixels are white paper (the app composites on white)."""
    made = {"small_photo": lambda: coffee((150, 100)),
            "small_shirt": lambda: shirt(255, (24, 18)),
            "transparent_shirt": lambda: Image.merge("LA", (
                Image.new("L", (200, 150), 0), ImageOps.invert(shirt(255)))),
            "transparent_photo": lambda: _with_transparent_frame(coffee())}[picture]()
    path, expected = app_image(made, dataset, tmp_path)
    got = np.asarray(prepare_function(dataset)(path))
    difference = np.abs(got.astype(int) - expected.astype(int)).max()
    assert difference <= 1, (dataset, picture, difference)


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist", "cifar10"])
def test_script_prepare_turns_phone_photos_upright(dataset, tmp_path):
    """A phone photo stored sideways with EXIF orientation 6: the app reads it
    upright (``read_image``), and so must the script."""
    upright = {"digit": draw_digit("7").convert("RGB"),
               "object": shirt(255).convert("RGB"),
               "photo": coffee()}[LOOKS[dataset]]
    sensor = upright.rotate(90, expand=True)
    exif = sensor.getexif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    sensor.save(path, "JPEG", exif=exif.tobytes(), quality=95)
    expected = prepare_image(read_image(path.read_bytes()), dataset,
                             SHAPES[dataset]).image
    got = np.asarray(prepare_function(dataset)(str(path)))
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
    plain = prepare_image(upright, dataset, SHAPES[dataset]).image
    assert np.corrcoef(got.ravel(), plain.ravel())[0, 1] > 0.95  # upright


def _with_transparent_frame(picture: Image.Image) -> Image.Image:
    rgba = picture.convert("RGBA")
    alpha = Image.new("L", rgba.size, 0)
    alpha.paste(255, (150, 50, 450, 350))
    rgba.putalpha(alpha)
    return rgba


# --------------------------------------------------------------- it runs


def test_mnist_script_trains_prepares_and_predicts(monkeypatch, tmp_path):
    """One epoch on the 4,000 offline digits (the text says 10; we change only
    that number), then the drawn "7" given on the command line."""
    keras = pytest.importorskip("keras")
    from core.models import build_model

    mnist = load_image_dataset("mnist", allow_download=False)
    arrays = tuple(np.array(part) for part in (mnist.x_train, mnist.y_train,
                                               mnist.x_test, mnist.y_test))
    monkeypatch.setattr(keras.datasets.mnist, "load_data",
                        lambda *args, **kwargs: (arrays[:2], arrays[2:]))
    script, count = re.subn(r"epochs=\d+", "epochs=1", classify_script(
        "mnist", SHAPES["mnist"]))
    assert count == 1
    picture = tmp_path / "seven.png"
    draw_digit("7").save(picture)
    monkeypatch.setattr(sys, "argv", ["classify_mnist.py", str(picture)])
    printed = io.StringIO()
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "classify_mnist.py", "exec"), namespace)  # our own
    output = printed.getvalue()
    accuracy = float(re.search(r"^test accuracy: (\S+)$", output, re.M).group(1))
    assert accuracy > 0.8, output[-2000:]
    lines = output[output.index("predicted:"):].splitlines()
    predicted = re.fullmatch(r"predicted: (\d) \((\d+\.\d)%\)", lines[0])
    assert predicted, lines[0]
    classes = [re.fullmatch(r"\s+(\d)\s+(\d+\.\d)%", line) for line in lines[1:]]
    assert len(classes) == 5 and all(classes), lines
    assert classes[0].group(1) == predicted.group(1)
    shares = [float(match.group(2)) for match in classes]
    assert shares == sorted(shares, reverse=True)
    probabilities = namespace["probabilities"]
    assert predicted.group(1) == str(int(np.argmax(probabilities)))
    # The model is the app's shared CNN; the input is the app's prepared digit.
    app_model = build_model(SHARED_CHOICES["mnist"], SHAPES["mnist"], 10)
    assert namespace["model"].count_params() == app_model.count_params()
    expected = prepare_image(read_image(picture.read_bytes()), "mnist",
                             SHAPES["mnist"]).x
    np.testing.assert_allclose(namespace["x"], expected, atol=1 / 255 + 1e-6)
    print(f"script: 1 epoch, test accuracy {accuracy:.3f}, drawn 7 → "
          f"{predicted.group(1)} ({predicted.group(2)} %)")


def test_script_prepare_ignores_grey_paper_like_the_app(tmp_path):
    """A digit on a grey sheet: the paper is not ink, in the script as in the app."""
    picture = Image.new("L", (280, 280), 200)
    ImageDraw.Draw(picture).line((140, 40, 140, 240), fill=30, width=20)
    path, expected = app_image(picture, "mnist", tmp_path)
    got = prepare_function("mnist")(path)
    assert (got > 0).mean() < 0.15  # a stroke, not a filled box
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_script_prepare_stops_with_a_message_on_a_blank_picture(dataset, tmp_path):
    path = tmp_path / "blank.png"
    Image.new("L", (120, 90), 128).save(path)
    with pytest.raises(SystemExit, match="nothing on this picture"):
        prepare_function(dataset)(str(path))
