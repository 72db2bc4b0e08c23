"""One machine, a whole class: one app process per core behind a local nginx.

A Streamlit server runs every session's script in one Python process, under one
interpreter lock: on a 2-core machine a class's page reruns queue behind each
other (``bench/load.py``, 30 students: rerun p95 4.2 s on one process, 1.7 s on
two; 3.8 s and 0.7 s when they upload but do not draw). This starts
``--replicas`` app processes on 127.0.0.1 (ports ``--first-port`` and up) and
nginx with ``deploy/nginx.conf`` on ``--listen``, waits until the app answers
through nginx, prints the address for the class, and stops everything on Ctrl-C
(or when any process dies).

Usage (``make run-class``)::

    .venv/bin/python deploy/classroom.py [--replicas 2] [--listen 0.0.0.0:8500]

Needs nginx (``sudo apt-get install -y nginx``). Sticky sessions use the
client's IP address (``ip_hash``): students on their own devices spread over the
replicas; a class behind one NAT address lands on one replica.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make deploy importable
    sys.path.insert(0, str(REPO))

from deploy.local_nginx import TEMPLATE, Nginx, render_config  # noqa: E402

INSTALL_LINE = "sudo apt-get install -y nginx"


def replica_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false"]


def healthy(url: str, processes: list[subprocess.Popen], timeout: float) -> bool:
    """Poll ``url``/_stcore/health until ok (True); False if a process died or
    time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            return False
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    return False


class Classroom:
    """The replicas and nginx, started together and stopped together.

    nginx starts only once every replica answers: requests refused while a
    replica boots would count as failures (``max_fails``) and nginx would leave
    every replica out for ``fail_timeout`` (502 "no live upstreams").
    """

    def __init__(self, replicas: int, first_port: int, listen: str,
                 logs: Path, timeout: float) -> None:
        self.logs = logs
        self.replicas: list[subprocess.Popen] = []
        self.nginx: Nginx | None = None
        backends = []
        for i in range(replicas):
            port = first_port + i
            with open(logs / f"replica_{port}.log", "w", encoding="utf-8") as log:
                self.replicas.append(subprocess.Popen(
                    replica_command(port), cwd=REPO, stdout=log,
                    stderr=subprocess.STDOUT))
            backends.append(f"127.0.0.1:{port}")
        self.backends = backends
        try:
            for address in backends:
                if not healthy(f"http://{address}", self.replicas, timeout):
                    raise RuntimeError(f"replica {address} did not start; "
                                       f"see {logs}")
            (logs / "nginx").mkdir(exist_ok=True)
            self.nginx = Nginx(shutil.which("nginx") or "/usr/sbin/nginx",
                               logs / "nginx", render_config(
                                   TEMPLATE.read_text("utf-8"), backends, listen,
                                   logs / "nginx"))
        except Exception:
            self.stop()
            raise

    @property
    def processes(self) -> list[subprocess.Popen]:
        return self.replicas + ([self.nginx.process] if self.nginx else [])

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for process in self.replicas:
            if process.poll() is None:
                process.terminate()
        for process in self.replicas:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def local_url(listen: str) -> str:
    """The address to check health on, from nginx's ``listen`` value.

    >>> local_url("0.0.0.0:8500"), local_url("8500"), local_url("10.0.0.5:80")
    ('http://127.0.0.1:8500', 'http://127.0.0.1:8500', 'http://10.0.0.5:80')
    """
    host, _, port = listen.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "*") else host
    return f"http://{host}:{port}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 2,
                        help="app processes (default: one per core)")
    parser.add_argument("--first-port", type=int, default=8501,
                        help="port of the first replica (on 127.0.0.1)")
    parser.add_argument("--listen", default="0.0.0.0:8500",
                        help="where nginx listens for the class")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for the app to answer")
    args = parser.parse_args(argv)
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        print(f"nginx is not installed. Install it with:\n  {INSTALL_LINE}",
              file=sys.stderr)
        return 2
    if args.replicas < 1:
        print("--replicas must be at least 1", file=sys.stderr)
        return 2
    logs = Path(tempfile.mkdtemp(prefix="playground_class_"))
    logs.chmod(0o755)  # nginx's workers (nobody) buffer answers in a folder below
    try:
        room = Classroom(args.replicas, args.first_port, args.listen, logs,
                         args.timeout)
    except (RuntimeError, OSError) as error:  # a replica or `nginx -t` failed
        print(error, file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        url = local_url(args.listen)
        if not healthy(url, room.processes, args.timeout):
            print(f"The app did not answer through nginx; logs in {logs}",
                  file=sys.stderr)
            return 1
        print(f"Neural Playground: {args.replicas} replicas "
              f"({', '.join(room.backends)}) behind nginx.\n"
              f"Students open http://<this machine's address>:"
              f"{args.listen.rpartition(':')[2]}  (here: {url}).\n"
              f"Logs: {logs}. Stop with Ctrl-C.", flush=True)
        while all(process.poll() is None for process in room.processes):
            time.sleep(1)
        print(f"A process stopped; shutting down. Logs in {logs}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        room.stop()


if __name__ == "__main__":
    sys.exit(main())
