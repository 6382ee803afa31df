"""Where the benchmark keeps its files, and the URL of its trivial baseline view."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BENCH_SQLITE = BENCH_DIR / "catalog.sqlite3"
TRIVIAL_PATH = "/bench/trivial/"  # served by benchmarks/urls.py
