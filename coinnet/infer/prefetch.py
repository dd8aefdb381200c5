"""Load the next batch of files in a small thread pool while the model reads the current one (no torch).

Decoding is most of the time per photo, and Pillow and OpenCV release the GIL while they work, so a couple of
threads one batch ahead keep the model busy. Ctrl-C must still end a batch at once: see :func:`load_ahead`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TypeVar

#: Name prefix of the loader threads (the CLI looks for live ones after Ctrl-C).
DECODE_THREAD_PREFIX = "coinnet-decode"
T = TypeVar("T")


def _result(future: Future):
    """``future.result()``, waking every 0.1 s. Ctrl-C is sent to the whole process, and a signal that lands on
    another thread cannot interrupt a wait without a timeout: the main thread would block forever."""
    while True:
        try:
            return future.result(timeout=0.1)
        except FuturesTimeout:
            continue


def load_ahead(
    load: Callable[[str], T], chunks: Sequence[list[str]], workers: int
) -> Iterator[tuple[list[str], list[T]]]:
    """Yield ``(chunk, [load(path) for path in chunk])`` in order, the next chunk loading meanwhile.

    A KeyboardInterrupt (or any error, or the consumer stopping early) ends it at once: queued loads are dropped
    and no load still running is waited for (``with ThreadPoolExecutor`` would wait for every running one).
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=DECODE_THREAD_PREFIX)
    try:
        ahead = [pool.submit(load, p) for p in chunks[0]] if chunks else []
        for k, chunk in enumerate(chunks):
            current = ahead
            ahead = [pool.submit(load, p) for p in chunks[k + 1]] if k + 1 < len(chunks) else []
            yield chunk, [_result(f) for f in current]
    except BaseException:  # GeneratorExit too: the consumer was interrupted between two chunks
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
