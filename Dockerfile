# Neural Playground (神经网络游乐场): one CPU-only app server.
#
#   docker build -t neural-playground .
#   docker run --rm -p 8501:8501 neural-playground        # http://localhost:8501
#
# Several replicas behind a load balancer: deploy/nginx.conf (sticky sessions and
# the websocket upgrade) or deploy/k8s.yaml. The server settings (PLAYGROUND_*,
# KERAS_HOME) are the README's table; pass them with `docker run -e NAME=value`.
# None is set here: the app's defaults fit one 2-core server.

# Pinned tag: the interpreter the test suite runs on (3.11.7), Debian bookworm.
# Slim: the wheels in requirements.txt (tensorflow-cpu, scipy, scikit-image, ...) are
# manylinux builds that bring their own native libraries, so no compiler and no
# system package is installed.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2

# A user without privileges owns nothing but its home (Keras' dataset cache
# ~/.keras/datasets and matplotlib's cache live there). The code stays root-owned,
# so the server cannot rewrite itself.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer: editing the app does not reinstall
# TensorFlow. requirements.txt pins every package exactly; tensorflow-cpu has no
# CUDA libraries.
COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt

# The app itself (.dockerignore keeps out tests, benchmarks, caches, .venv, .git).
COPY . .

USER app

EXPOSE 8501

# Streamlit answers "ok" on /_stcore/health once the server is up. Python's urllib,
# so that no curl is needed in the image. The start period covers the server start
# (a few seconds; TensorFlow is warmed in a background thread after that and does
# not delay the health answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read().strip() != b'ok')"]

# 0.0.0.0: reachable from outside the container. No file watcher: the code in the
# image never changes, and watching it costs CPU. Usage statistics stay off (also
# in .streamlit/config.toml, which is copied with the app).
CMD ["streamlit", "run", "app.py", \
     "--server.address=0.0.0.0", \
     "--server.port=8501", \
     "--server.headless=true", \
     "--server.fileWatcherType=none", \
     "--browser.gatherUsageStats=false"]
