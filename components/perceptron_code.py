"""Show me the code: runnable scripts for the perceptron lesson's current settings.

Plain string building (no Streamlit), so tests can run the scripts and compare
what they print with what the page shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.perceptron import GATES, MAX_EPOCHS, Z_DECIMALS

DOCUMENT_POINT = (2.0, 0.5)


def rule_script(gate: str, learning_rate: float, w_start: Sequence[float],
                b_start: float) -> str:
    """The perceptron learning rule on one gate, printing every epoch."""
    table = ", ".join(str(v) for v in GATES[gate])
    w1, w2 = (float(v) for v in w_start)
    return f'''"""The perceptron learning rule on {gate.upper()}, epoch by epoch."""
import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([{table}])  # {gate.upper()}
eta = {float(learning_rate)!r}  # learning rate η
w = np.array([{w1!r}, {w2!r}])  # start weights
b = {float(b_start)!r}  # start bias


def step(z):
    """A TLU fires (1) only above the threshold 0 (z rounded: 0.1 + 0.2 - 0.3 = 0)."""
    return 1 if round(float(z), {Z_DECIMALS}) > 0 else 0


seen = {{}}  # the weights at the end of each epoch -> that epoch
for epoch in range(1, {MAX_EPOCHS + 1}):
    errors = 0
    for x_i, y_i in zip(X, y):
        y_hat = step(w @ x_i + b)
        w = w + eta * (y_i - y_hat) * x_i  # w <- w + eta (y - y_hat) x
        b = b + eta * (y_i - y_hat)
        errors += int(y_hat != y_i)
    print(f"epoch {{epoch}}: {{errors}} errors, w = {{np.round(w, 4) + 0.0}}, "
          f"b = {{round(b, 4) + 0.0}}")
    if errors == 0:
        print("converged: every instance is classified correctly")
        break
    state = tuple(round(float(v), {Z_DECIMALS}) for v in (*w, b))
    if state in seen:
        print(f"cycle: the same weights as after epoch {{seen[state]}}, "
              "so these epochs repeat forever")
        break
    seen[state] = epoch
'''


def sklearn_script(point: Sequence[float] | None) -> str:
    """The documents' scikit-learn ``Perceptron`` on iris, and one more point."""
    points = [list(DOCUMENT_POINT)]
    if point is not None and tuple(point) != DOCUMENT_POINT:
        points.append([float(v) for v in point])
    listed = ", ".join(f"[{p[0]!r}, {p[1]!r}]" for p in points)
    return f'''"""scikit-learn's Perceptron (one TLU) on the iris petals (documents)."""
from sklearn.datasets import load_iris
from sklearn.linear_model import Perceptron

iris = load_iris()
X = iris.data[:, (2, 3)]  # petal length, petal width
y = (iris.target == 0).astype(int)  # 1: Iris setosa, 0: the rest
per_clf = Perceptron()
per_clf.fit(X, y)
print("w =", per_clf.coef_[0], "b =", per_clf.intercept_[0])
for point in [{listed}]:
    z = per_clf.decision_function([point])[0]  # w . x + b
    y_pred = per_clf.predict([point])
    print(point, "z =", z, "y_pred =", y_pred)
'''
