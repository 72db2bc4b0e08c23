"""Sample photos that ship inside scikit-image (no download needed).

The coffee cup comes first: it is the documents' example for edge filters.
"""

from __future__ import annotations

import numpy as np

SAMPLE_IMAGES = ("coffee", "camera", "chelsea", "astronaut", "text", "moon", "brick",
                 "rocket")


def load_sample_image(name: str) -> np.ndarray:
    """A scikit-image sample photo as uint8, H×W or H×W×3.

    Raises:
        KeyError: ``name`` is not one of SAMPLE_IMAGES.

    >>> load_sample_image("coffee").shape
    (400, 600, 3)
    """
    if name not in SAMPLE_IMAGES:
        raise KeyError(f"unknown sample image {name!r}; choose from {SAMPLE_IMAGES}")
    from skimage import data  # imported lazily: scikit-image takes ~0.5 s to load

    return np.asarray(getattr(data, name)())
