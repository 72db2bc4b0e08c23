"""Classify an image: upload → prediction, server side (not a test).

Target (the classify issue), measured and reported, never asserted: upload →
prediction ≤ 150 ms (median) once the model is loaded. One "upload" is what the
page does with the bytes of a picture: ``read_image`` (the gate), ``prepare_image``
for the model, the model called directly (``predict_probabilities``) and
``top_k``. Three pictures: a drawn digit (280×280 PNG), a 1-megapixel phone-like
JPEG and a 12-megapixel JPEG (4000×3000). Also timed, because the page draws them
on the same rerun: the occlusion map (patch 7, stride 2 on 28×28: 121 predictions
in one batch of 128) and the first-layer feature maps.

The model is the shared digit CNN, trained first (its training time and test
accuracy are reported too).

Writes ``bench/results/classify.json``.

Usage: ``.venv/bin/python bench/classify.py [--repeats 50]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the app importable
    sys.path.insert(0, str(REPO))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

RESULTS = REPO / "bench" / "results" / "classify.json"
TARGET_MS = 150.0


def _encode(picture: Image.Image, fmt: str, **options: object) -> bytes:
    with io.BytesIO() as buffer:
        picture.save(buffer, format=fmt, **options)
        return buffer.getvalue()


def pictures() -> dict[str, bytes]:
    drawn = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    ImageDraw.Draw(drawn).line([(90, 60), (190, 62), (120, 230)], fill="black",
                               width=20, joint="curve")
    rng = np.random.default_rng(0)
    texture = Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8))
    return {"drawn_png_280": _encode(drawn, "PNG"),
            "photo_jpeg_1mp": _encode(texture.resize((1280, 960)), "JPEG",
                                      quality=85),
            "photo_jpeg_12mp": _encode(texture.resize((4000, 3000)), "JPEG",
                                       quality=85)}


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    from core.classifiers import predict_probabilities, start_classifier_training
    from core.classify import WORKING_SIDE, occlusion_map, prepare_image, top_k
    from core.datasets import load_image_dataset
    from core.imaging import read_image
    from core.keras_import import load_keras

    keras = load_keras()
    data = load_image_dataset("mnist", allow_download=False)
    begin = time.perf_counter()
    job = start_classifier_training(data)
    job.wait()
    training_s = time.perf_counter() - begin
    model = job.model
    conv = next(layer for layer in model.layers if type(layer).__name__ == "Conv2D")
    extractor = keras.Model(model.input, conv.output)

    def upload(data_bytes: bytes) -> np.ndarray:
        picture = read_image(data_bytes, max_aspect=20, max_side=WORKING_SIDE)
        prepared = prepare_image(picture, "mnist", (28, 28, 1))
        top_k(predict_probabilities(model, prepared.x)[0], 5)
        return prepared.x

    uploads, extras = {}, {"occlusion": [], "feature_maps": []}
    for name, data_bytes in pictures().items():
        x = upload(data_bytes)  # warm
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            upload(data_bytes)
            times.append(time.perf_counter() - start)
        uploads[name] = {"median_ms": median_ms(times),
                         "ratio": round(median_ms(times) / TARGET_MS, 3)}
    for _ in range(max(5, args.repeats // 5)):
        start = time.perf_counter()
        occlusion_map(lambda batch: predict_probabilities(model, batch), x, 7, 7, 2,
                      0.0, batch_size=128)
        extras["occlusion"].append(time.perf_counter() - start)
        start = time.perf_counter()
        extractor(x, training=False)
        extras["feature_maps"].append(time.perf_counter() - start)
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "target_ms": TARGET_MS,
        "upload_to_prediction": uploads,
        "occlusion_median_ms": median_ms(extras["occlusion"]),
        "feature_maps_median_ms": median_ms(extras["feature_maps"]),
        "digit_model": {"training_s": round(training_s, 2),
                        "test_accuracy": job.snapshot().test_accuracy,
                        "train_digits": len(data.x_train),
                        "test_digits": len(data.x_test)},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
