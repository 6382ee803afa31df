"""Runs the project under gunicorn on 127.0.0.1 for the benchmark and the load test."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time

from .loadgen import HOST
from .paths import BENCH_DIR, TRIVIAL_PATH


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def default_workers() -> int:
    """One sync worker per core: the pages are CPU-bound (rendering, SQLite in-process)."""
    return os.cpu_count() or 1


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}; see {BENCH_DIR / 'gunicorn.log'}")
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            connection.request("GET", TRIVIAL_PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer {TRIVIAL_PATH} within {timeout:.0f}s")


@contextlib.contextmanager
def gunicorn_server(*, workers: int, settings: str = "benchmarks.settings", startup_timeout: float = 60):
    """Starts gunicorn (sync workers) on a free port of 127.0.0.1 and yields the port; stops it on exit.

    Its log goes to var/bench/gunicorn.log. `startup_timeout`: seconds to wait for the first answer (many
    workers booting on a loaded machine need more than the default).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    command = [sys.executable, "-m", "gunicorn", "storefront.wsgi:application", "--bind", f"{HOST}:{port}",
               "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
               "--error-logfile", str(BENCH_DIR / "gunicorn.log")]
    process = subprocess.Popen(command, env=env, cwd=BENCH_DIR.parent.parent)
    try:
        _wait_until_up(port, process, timeout=startup_timeout)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
