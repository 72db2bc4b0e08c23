"""Deployment: deploy/nginx.conf rendered for local replicas, and
deploy/classroom.py really serving the app through nginx from two processes."""

import doctest
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy import classroom
from deploy.local_nginx import TEMPLATE, render_config

REPO = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx"
                                  if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed "
                                 "(scripts/ensure_nginx.sh)")


def test_docstring_examples():
    assert doctest.testmod(classroom).failed == 0


def test_the_rendered_config_keeps_the_file_and_changes_only_what_it_must(tmp_path):
    template = TEMPLATE.read_text("utf-8")
    text = render_config(template, ["127.0.0.1:9001", "127.0.0.1:9002"],
                         "0.0.0.0:8500", tmp_path)
    assert re.findall(r"server (\S+) max_fails", text) == ["127.0.0.1:9001",
                                                             "127.0.0.1:9002"]
    assert "listen 0.0.0.0:8500;" in text and "listen 80;" not in text
    assert "user www-data" not in text and f"pid {tmp_path}/nginx.pid;" in text
    for line in ("ip_hash;", "proxy_set_header Upgrade $http_upgrade;",
                 "client_max_body_size"):
        assert line in text and line in template
    with pytest.raises(ValueError, match="listen 80"):
        render_config(template.replace("listen 80;", "listen 81;"), [], "1", tmp_path)


def _free_ports(count: int) -> list[int]:
    import socket
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@needs_nginx
def test_two_replicas_serve_the_class_through_nginx_and_stop_together():
    first, public = 18501 + os.getpid() % 500 * 4, _free_ports(1)[0]
    env = {**os.environ, "PLAYGROUND_WARM_KERAS": "0"}
    process = subprocess.Popen(
        [sys.executable, "deploy/classroom.py", "--replicas", "2", "--first-port",
         str(first), "--listen", f"127.0.0.1:{public}", "--timeout", "90"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    try:
        banner = "".join(process.stdout.readline() for _ in range(3))
        assert "2 replicas" in banner, banner + process.stdout.read()
        url = f"http://127.0.0.1:{public}"
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as reply:
            assert reply.read().decode().strip() == "ok"
        with urllib.request.urlopen(f"{url}/activations", timeout=10) as reply:
            assert reply.status == 200 and b"<div id=\"root\">" in reply.read()
        for port in (first, first + 1):  # both replicas are up on their own
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                        timeout=10) as reply:
                assert reply.read().decode().strip() == "ok"
        logs = Path(re.search(r"Logs: (\S+)\.", banner)[1])
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=60) == 0
        access = (logs / "nginx" / "logs" / "access.log").read_text()
        assert re.search(rf"upstream=127\.0\.0\.1:({first}|{first + 1})", access)
        time.sleep(0.5)
        left = subprocess.run(["pgrep", "-s", str(process.pid)],
                              capture_output=True, text=True).stdout.split()
        assert not left, f"processes left over: {left}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
