"""nginx in front of local app replicas, from ``deploy/nginx.conf`` itself.

Used by ``deploy/classroom.py`` (one machine, one replica per core) and by
``bench/nginx_tour.py``. The configuration is the deployment file with only the
upstream's ``server`` lines, the ``listen`` line, the ``user`` line and the file
paths changed, so what runs here is what the README tells people to install.
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) '
                      r"upstream=(?P<upstream>\S+(?:, \S+)*) time=")


def render_config(template: str, backends: list[str], listen: str,
                  prefix: Path) -> str:
    """``deploy/nginx.conf`` with our replicas, a ``listen`` address (e.g.
    ``127.0.0.1:8080`` or ``0.0.0.0:8500``) and a private prefix folder.

    Each replaced piece must be found, so that a change of the deployment file
    that this code no longer understands fails loudly instead of testing
    something else.
    """
    def sub(pattern: str, replacement: str, text: str, count: int = 1) -> str:
        new, found = re.subn(pattern, lambda _: replacement, text, flags=re.M)
        if found != count:
            raise ValueError(f"{TEMPLATE.name}: expected {count} × {pattern!r}, "
                             f"found {found}")
        return new

    servers = "".join(f"        server {address} max_fails=3 fail_timeout=30s;\n"
                      for address in backends)
    text = sub(r"^(        server \S+ max_fails=3 fail_timeout=30s;\n)+", servers,
               template)
    text = sub(r"^        listen 80;$", f"        listen {listen};", text)
    # Root would switch the workers to www-data, who cannot write our folder.
    text = sub(r"^user www-data;$", "", text)
    text = sub(r"^pid /run/nginx.pid;$", f"pid {prefix}/nginx.pid;", text)
    text = sub(r"/var/log/nginx/", f"{prefix}/logs/", text, count=2)
    temp = "".join(f"    {kind}_temp_path {prefix}/tmp/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return sub(r"^http \{\n", "http {\n" + temp, text)


class Nginx:
    """nginx in the foreground with its own prefix folder."""

    def __init__(self, binary: str, prefix: Path, config: str) -> None:
        self.prefix = prefix
        # Started by root, the workers run as "nobody" and buffer large answers
        # (plotly's 4.6 MB script) in tmp/: they must be able to enter the folder.
        prefix.chmod(0o755)
        for folder in ("logs", "tmp"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        self.config = prefix / "nginx.conf"
        self.config.write_text(config, encoding="utf-8")
        self.access_log = prefix / "logs" / "access.log"
        base = [binary, "-p", str(prefix), "-c", str(self.config),
                "-e", str(prefix / "logs" / "error.log")]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True,
                               timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.process = subprocess.Popen([*base, "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: logs flushed
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> list[dict[str, Any]]:
        """The access log, one dict per request (path, status, replica)."""
        if not self.access_log.exists():
            return []
        entries = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            match = LOG_LINE.search(line)
            if match:
                # After a failed try, "$upstream_addr" lists every replica tried.
                tried = match["upstream"].split(", ")
                entries.append({"path": match["path"], "status": int(match["status"]),
                                "upstream": tried[-1], "tried": tried})
        return entries
