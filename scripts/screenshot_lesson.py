"""Screenshot a lesson as a learner first sees it: JupyterLab, untrusted notebook, no cell run.

A one-off check for lesson authors (not part of the test suite): do the stored graphs show on first
open? Needs a Chromium (Debian: `apt-get install chromium`; not a project dependency).

    .venv/bin/python scripts/screenshot_lesson.py lessons/01_derivatives.ipynb shot.png

The notebook is copied into a temporary folder and JupyterLab gets a fresh, empty Jupyter data
folder, so nothing is trusted; the server listens on a free local port, without a token, and is
stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {url} within {seconds:g} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--size", default="1400,9000", help="window width,height in px (tall: all cells)")
    parser.add_argument("--wait-ms", type=int, default=25000, help="virtual time for JupyterLab to load")
    args = parser.parse_args(argv)

    jupyter = Path(sys.executable).with_name("jupyter")
    with tempfile.TemporaryDirectory() as tmp:
        root, data, profile = Path(tmp, "root"), Path(tmp, "data"), Path(tmp, "chromium")
        root.mkdir()
        shutil.copy(args.notebook, root / args.notebook.name)
        port = free_port()
        env = dict(os.environ, JUPYTER_DATA_DIR=str(data))  # an empty trust database: nothing trusted
        server = subprocess.Popen(
            [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
             "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{port}/api", 60)
            url = f"http://127.0.0.1:{port}/lab/tree/{args.notebook.name}"
            subprocess.run(
                [args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", f"--window-size={args.size}", "--hide-scrollbars",
                 f"--virtual-time-budget={args.wait_ms}", f"--screenshot={args.output.resolve()}", url],
                check=True, timeout=180, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
