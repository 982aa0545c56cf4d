"""Bulk analysis on several processes (#16): ``sourcewise analyze --jsonl … --jobs N``.

The pipeline is loaded once in the parent and the workers are forked from it (copy-on-write, no reload);
each worker's BLAS gets ``cores // N`` threads (at least one). Texts go out in small batches and come
back in input order, each analysed exactly as ``analyze_many`` does in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from itertools import islice

BATCH = 8


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _limit_threads(threads: int) -> None:
    """BLAS and the label encoder's ONNX session (made after the fork) get ``threads`` each, unless set by hand."""
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


def analyze_parallel(texts: Iterable[str], offsets: str = "codepoint", jobs: int | None = None, sensitivity: str = "balanced") -> Iterator[dict]:
    """Results in input order, from ``jobs`` processes (default: the cores); one job analyses in this process."""
    from .engine import analyze_many, get_nlp

    jobs = max(1, jobs or cores())
    threads = max(1, cores() // jobs)
    if jobs == 1:
        _limit_threads(threads)
        yield from analyze_many(texts, offsets=offsets, sensitivity=sensitivity)
        return
    get_nlp()  # loaded before the fork: every worker shares it
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_limit_threads, initargs=(threads,)) as pool:
        for results in pool.imap(_analyse, _batches(texts, offsets, sensitivity)):
            yield from results
