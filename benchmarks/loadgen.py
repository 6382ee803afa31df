"""A small HTTP load generator: threads, each with a keep-alive `http.client` connection to 127.0.0.1.

Bounded twice: by a duration and by a total number of requests. It only ever talks to 127.0.0.1 (the host
is not a parameter). It runs in the same machine as the server, so on a 2-core box it takes CPU from the
workers it measures: absolute figures are lower than a separate client would see, ratios stay fair.
"""

import http.client
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"
UNIQUE = "{unique}"  # in a path, replaced by a value no other request of any run puts there
CACHE_HEADER = "X-Catalog-Cache"  # what the catalog page cache says of an answer: hit, miss, or absent


@dataclass
class LoadResult:
    """What one run measured. Latencies are in seconds; `errors` counts connection failures."""

    elapsed: float
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    by_path: dict[str, Counter] = field(default_factory=dict)
    cache: Counter = field(default_factory=Counter)  # X-Catalog-Cache values ("none" where absent)

    def merge(self, other: "LoadResult") -> None:
        """Adds another run's counts and latencies to this one."""
        self.elapsed += other.elapsed
        self.statuses.update(other.statuses)
        self.latencies.extend(other.latencies)
        self.errors.update(other.errors)
        self.cache.update(other.cache)
        for path, counts in other.by_path.items():
            self.by_path.setdefault(path, Counter()).update(counts)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency below which `fraction` of the requests finished (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run_load(paths: list[str], *, port: int, duration: float, concurrency: int = 4,
             max_requests: int = 200_000) -> LoadResult:
    """GETs `paths` round-robin from `concurrency` threads for `duration` seconds or `max_requests` requests.

    `{unique}` in a path is replaced by a value unique to the request (a cache can never have seen it).
    The threads start at offsets spread evenly over `paths`. A response is read in full before the next
    request; a connection the server closes (a sync gunicorn worker closes after each response) is
    reopened by http.client on the next request.
    """
    if not paths:
        raise ValueError("run_load needs at least one path")
    if duration <= 0 or concurrency < 1 or max_requests < 1:
        raise ValueError("duration, concurrency and max_requests must be positive")
    lock = threading.Lock()
    run_token = secrets.token_hex(4)
    issued = 0
    result = LoadResult(elapsed=0.0)
    deadline = time.perf_counter() + duration

    def take_ticket() -> bool:
        nonlocal issued
        with lock:
            if issued >= max_requests:
                return False
            issued += 1
            return True

    def worker(thread: int, offset: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        statuses, latencies, errors, by_path, cache = Counter(), [], Counter(), {}, Counter()
        n = offset
        while time.perf_counter() < deadline and take_ticket():
            path = paths[n % len(paths)]
            n += 1
            target = path.replace(UNIQUE, f"{run_token}-{thread}-{n}")
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers={"Accept-Encoding": "identity"})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                connection.close()
                continue
            latencies.append(time.perf_counter() - started)
            statuses[response.status] += 1
            cache[response.getheader(CACHE_HEADER, "none")] += 1
            by_path.setdefault(path, Counter())[response.status] += 1
        connection.close()
        with lock:
            result.statuses.update(statuses)
            result.latencies.extend(latencies)
            result.errors.update(errors)
            result.cache.update(cache)
            for path, counts in by_path.items():
                result.by_path.setdefault(path, Counter()).update(counts)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i, i * len(paths) // concurrency), daemon=True)
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result
