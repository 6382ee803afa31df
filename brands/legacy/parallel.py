"""CPU-bound work of a loader (password wrapping) spread over every core with a process pool."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

PARENT_CHECK_SECONDS = 0.5


class CpuPool:
    """A process pool started on first use; `map` keeps the order of its arguments and times itself.

    With one worker (or few items) the work runs in this process: starting processes costs more than
    it saves then. Each worker watches its parent and exits when it is gone, so an import killed with
    kill -9 leaves no worker behind.
    """

    def __init__(self, workers: int | None, on_time: Callable[[float], None]):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.on_time = on_time
        self._executor: ProcessPoolExecutor | None = None

    def map(self, function: Callable, arguments: Sequence[tuple]) -> list:
        started = time.monotonic()
        if self.workers == 1 or len(arguments) < 2 * self.workers:
            results = [function(*args) for args in arguments]
        else:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(max_workers=self.workers, initializer=_exit_with_parent,
                                                     initargs=(os.getpid(),))
            chunksize = max(1, len(arguments) // (self.workers * 4))
            results = list(self._executor.map(function, *zip(*arguments, strict=True), chunksize=chunksize))
        self.on_time(time.monotonic() - started)
        return results

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: a daemon thread ends the worker once its parent process has died."""

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
