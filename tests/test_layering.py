"""House rules that keep the layers apart (ARCHITECTURE.md, HOUSE_STYLE.md)."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_ui_code():
    offenders = {str(p.relative_to(ROOT)): imported_modules(p) & {"streamlit", "plotly"}
                 for p in (ROOT / "core").glob("*.py")}
    assert not {k: v for k, v in offenders.items() if v}


@pytest.mark.parametrize("module", ["core.train_codegen", "core.denoise_codegen",
                                    "core.denoising", "core.mnist_prep",
                                    "core.training", "core.models",
                                    "core.optimizers", "core.optim_keras",
                                    "core.batch_descent", "core.overfit_mlp",
                                    "core.recurrent_train", "core.series"])
def test_light_core_modules_import_no_keras_or_ui(module):
    """Importing them is free: Keras loads only when a model is built or trained."""
    code = (f"import sys, {module}; "
            "print(sorted({'keras', 'tensorflow', 'streamlit', 'plotly'} "
            "& set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_pages_stay_thin():
    for page in (ROOT / "pages").glob("*.py"):
        assert len(page.read_text("utf-8").splitlines()) <= 120, page.name


@pytest.mark.parametrize("page", ["pages/activations.py", "pages/convolution.py",
                                  "pages/architecture.py", "pages/training.py",
                                  "pages/perceptron.py",
                                  "pages/smallest_network.py",
                                  "pages/optimizers.py", "pages/overfitting.py",
                                  "pages/recurrent.py"])
def test_numpy_lessons_never_import_tensorflow(page):
    """Render the real page (AppTest) in a fresh interpreter and look at what got
    imported: a NumPy-only lesson must not pay TensorFlow's 7 s and 700 MB. The
    Training lab imports it only when a training starts (its first view draws
    settings, no chart)."""
    script = textwrap.dedent(f"""
        import sys
        from streamlit.testing.v1 import AppTest
        app = AppTest.from_file("app.py", default_timeout=60)
        app.run()
        app.switch_page("{page}").run()
        assert not app.exception, [e.value for e in app.exception]
        charts_expected = "{page}" != "pages/training.py"
        assert app.get("plotly_chart") or not charts_expected, "no chart drawn"
        assert app.caption, "the page did not draw"
        heavy = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
        print("HEAVY", heavy)
        sys.exit(1 if heavy else 0)
    """)
    env = {"PLAYGROUND_WARM_KERAS": "0", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "HEAVY []" in result.stdout
