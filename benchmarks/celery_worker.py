"""A real `celery -A storefront worker` in a child process, for the benchmarks and the tests that need one."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .paths import ROOT

READY_MARK = "ready."  # the worker's log line once it consumes: "celery@host ready."


@contextlib.contextmanager
def celery_worker(*, queues: list[str], env: dict, log_path: Path, pool: str = "solo", concurrency: int = 1,
                  wait_ready: float | None = None, stop_timeout: float = 30):
    """Runs a worker on `queues` (its own, so no other worker on the broker takes their tasks); stops it on exit.

    `env` is added to this process's environment (the broker, the database, ...). With `wait_ready`, waits
    that many seconds at most for the worker to say it is ready, so a timing does not include its start-up.
    Stopped with SIGTERM (a warm shutdown: the task at hand is finished), killed if it takes over `stop_timeout`.
    """
    hostname = f"{queues[0]}@%h"
    command = [sys.executable, "-m", "celery", "-A", "storefront", "worker", f"--pool={pool}",
               f"--concurrency={concurrency}", "--queues", ",".join(queues), "--hostname", hostname,
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        if wait_ready is not None:
            _wait_ready(process, log_path, wait_ready)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with code {process.returncode}; see {log_path}")
        if READY_MARK in log_path.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Celery worker was not ready within {timeout:.0f}s; see {log_path}")
