"""Throughput of the synthetic renderer: samples/s for 1 process and a multiprocessing pool.

Usage: ``python scripts/bench_render.py [--n 400] [--repeats 3] [--sizes 128 224] [--workers 1 2]``.
Prints the median over repeats; per-process caches (glyphs, base relief) are warmed up first, as a
DataLoader worker would have them after its first few samples.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time

import cv2

from coinnet.render import RenderConfig, render

_CFG: RenderConfig | None = None


def _init(size: int) -> None:
    global _CFG
    cv2.setNumThreads(1)  # one core per worker, as in a DataLoader
    _CFG = RenderConfig(size=size)
    for i in range(16):  # warm the per-process caches (all base variants, glyphs)
        render(_CFG, 999, i)


def _one(index: int) -> int:
    return int(render(_CFG, 0, index).image[0, 0, 0])


def bench(size: int, workers: int, n: int, repeats: int) -> tuple[float, float]:
    """Median samples/s and CPU ms per sample (single process only, else NaN) over ``repeats`` runs."""
    rates, cpu = [], []
    if workers == 1:
        _init(size)
        for r in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            for i in range(r * n, (r + 1) * n):
                _one(i)
            rates.append(n / (time.perf_counter() - t))
            cpu.append(1000 * (time.process_time() - c) / n)
    else:
        with mp.get_context("fork").Pool(workers, initializer=_init, initargs=(size,)) as pool:
            pool.map(_one, range(workers * 4))
            for r in range(repeats):
                t = time.perf_counter()
                pool.map(_one, range(r * n, (r + 1) * n), chunksize=16)
                rates.append(n / (time.perf_counter() - t))
    return statistics.median(rates), statistics.median(cpu) if cpu else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="samples per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 224])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    # CPU ms/sample tells what free cores would give when the machine is shared (wall-clock rates drop).
    print(f"{'size':>5} {'workers':>7} {'samples/s':>10} {'ms/sample/worker':>17} {'cpu ms/sample':>14}")
    for size in args.sizes:
        for workers in args.workers:
            rate, cpu = bench(size, workers, args.n, args.repeats)
            print(f"{size:>5} {workers:>7} {rate:>10.0f} {1000 * workers / rate:>17.2f} {cpu:>14.2f}", flush=True)


if __name__ == "__main__":
    main()
