"""Bulk analysis on several processes (#16): ``sourcewise analyze --jsonl … --jobs N``.

Workers are forked from a fork server, a clean process that has loaded the pipeline and warmed its
vocabulary (``parallel_preload``) but analysed nothing, so they share the model copy-on-write and
start at once. Forking the calling process instead is unsafe once it has analysed a text: ONNX
Runtime's and the tokenizer's thread pools do not survive a fork (a forked worker hung making its
session). Each worker gives BLAS and its encoder ``cores // N`` threads. Texts go
out in small batches, at most a few batches per worker in flight, and come back in input order, each
analysed exactly as ``analyze_many`` does in one process. A worker that dies raises
:class:`WorkerFailed` rather than leaving the caller waiting.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

BATCH = 8
IN_FLIGHT_PER_WORKER = 2


class WorkerFailed(RuntimeError):
    """An analysis process died before it answered (killed, out of memory)."""


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _limit_threads(threads: int) -> None:
    """BLAS and the label encoder's ONNX session get ``threads`` each, unless set by hand."""
    from threadpoolctl import threadpool_limits

    from .engine.labeller import THREADS_ENV

    threadpool_limits(threads)
    os.environ.setdefault(THREADS_ENV, str(threads))


def _analyse(job: tuple[list[str], str, str]) -> list[dict]:
    from .engine import analyze_many

    texts, offsets, sensitivity = job
    return list(analyze_many(texts, offsets=offsets, sensitivity=sensitivity))


def _batches(texts: Iterable[str], offsets: str, sensitivity: str) -> Iterator[tuple[list[str], str, str]]:
    pending = iter(texts)
    while batch := list(islice(pending, BATCH)):
        yield batch, offsets, sensitivity


def _pool(jobs: int, threads: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["service.parallel_preload"])
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_limit_threads, initargs=(threads,))


def analyze_parallel(texts: Iterable[str], offsets: str = "codepoint", jobs: int | None = None, sensitivity: str = "balanced") -> Iterator[dict]:
    """Results in input order, from ``jobs`` processes (default: the cores); one job analyses in this process."""
    from .engine import analyze_many

    jobs = max(1, jobs or cores())
    threads = max(1, cores() // jobs)
    if jobs == 1:
        _limit_threads(threads)
        yield from analyze_many(texts, offsets=offsets, sensitivity=sensitivity)
        return
    with _pool(jobs, threads) as pool:
        in_flight: deque[Future] = deque()
        batches = _batches(texts, offsets, sensitivity)
        try:
            for batch in batches:
                in_flight.append(pool.submit(_analyse, batch))
                if len(in_flight) >= jobs * IN_FLIGHT_PER_WORKER:
                    yield from in_flight.popleft().result()
            while in_flight:
                yield from in_flight.popleft().result()
        except BrokenProcessPool as error:
            raise WorkerFailed("an analysis process died before it answered; try fewer --jobs or more memory") from error
        finally:
            for future in in_flight:
                future.cancel()
