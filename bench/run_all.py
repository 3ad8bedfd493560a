"""Every benchmark in one command, then one table of their figures (each a ratio against a floor
measured in the same run by the benchmark itself).

    python bench/run_all.py            # the sizes the targets are stated for (long: most of an hour)
    python bench/run_all.py --quick    # a tenth of the rows, fewer repeats: a first look in minutes

Each benchmark runs in its own process, one after another (so they do not slow each other down);
its full output is kept in bench-output/<name>.txt and its lines that carry a ratio (×) are the
table's rows."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name, full-size arguments, quick arguments
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("bench_startup", [], ["--repeat", "3"]),
    ("bench_registers", [], ["--rows", "10000", "--repeat", "3"]),
    ("bench_printout", [], ["--pages", "40", "--repeat", "1"]),
    ("bench_entry_registrations", [], ["--rows", "100000", "--repeat", "3"]),
    ("bench_person_search", [], ["--persons", "10000", "--repeat", "3"]),
    ("bench_find_person", [], ["--rows", "100000", "--repeat", "5"]),
    ("bench_exchange", [], ["--rows", "10000", "--repeat", "1"]),
    ("bench_sync", [], ["--changes", "1000", "--rows", "10000", "--repeat", "1", "--latency", "3"]),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks (names as in bench/)")
    args = parser.parse_args()
    out_dir = Path.cwd() / "bench-output"
    out_dir.mkdir(exist_ok=True)
    table: list[tuple[str, str]] = []
    failed = 0
    for name, full, quick in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        command = [sys.executable, str(HERE / f"{name}.py"), *(quick if args.quick else full)]
        print(f"… {name} {' '.join(command[2:])}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        took = time.perf_counter() - started
        (out_dir / f"{name}.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
        if done.returncode != 0:
            failed += 1
            table.append((name, f"FAILED (exit {done.returncode}), see bench-output/{name}.txt"))
            continue
        figures = [line.strip() for line in done.stdout.splitlines() if "×" in line]
        table += [(name, line) for line in figures] or [(name, "(no ratio printed)")]
        print(f"  {took:.0f} s", flush=True)
    width = max((len(n) for n, _ in table), default=10)
    print()
    for name, line in table:
        print(f"{name:<{width}}  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
