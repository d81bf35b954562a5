"""Downloading an archive from the fastest source that serves the right bytes.

Each data set lists its sources in order: a mirror named by ``$DATA_MIRROR`` (if set), then public
byte-identical mirrors of the archive, then the original host. Every source's file is checked
against the archive's md5 before it is kept, so a mirror can be fast but never wrong. A source is
abandoned when, after ``grace`` seconds, its speed says the rest would take longer than ``patience``
seconds and another source is left to try (the last one is always waited for): since 2026 the
Toronto host of CIFAR serves at about 70 kB/s, 40 minutes an archive. A progress bar shows the
speed, and a line says which source served.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tqdm import tqdm

from ..core.progress import ClosesItsBar, say, under_the_pipeline

MIRROR_ENV = "DATA_MIRROR"
CHUNK = 1 << 16


class SourceFailed(RuntimeError):
    """One source could not serve the archive (unreachable, too slow, or the wrong bytes)."""


@dataclass(frozen=True)
class Patience:
    """When a slow source is given up: after ``grace`` seconds, if the rest would take longer
    than ``seconds`` at the speed so far."""

    seconds: float = 600.0
    grace: float = 15.0


def sources(file_name: str, mirrors: tuple[str, ...], original: str) -> list[str]:
    """The URLs to try for ``file_name``, in order: ``$DATA_MIRROR``, the mirrors, the original."""
    chosen = os.environ.get(MIRROR_ENV, "").rstrip("/")
    listed = ([f"{chosen}/{file_name}"] if chosen else []) + list(mirrors) + [original]
    return list(dict.fromkeys(listed))


def download(urls: list[str], destination: Path, md5: str, patience: Patience = Patience(),
             label: str = "") -> str:
    """Fetch ``destination`` from the first of ``urls`` that serves bytes with the given md5 in
    time; returns the URL that served it. Raises :class:`SourceFailed` listing every attempt."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for number, url in enumerate(urls, start=1):
        last = number == len(urls)
        tell(f"data: {label or destination.name} from {host(url)} (source {number} of "
             f"{len(urls)})")
        try:
            seconds = fetch(url, destination, md5, None if last else patience)
        except SourceFailed as error:
            failures.append(f"{url}: {error}")
            tell(f"data: {host(url)} failed ({error})" + ("" if last else "; trying the next "
                 "source"))
            continue
        size = destination.stat().st_size
        tell(f"data: {label or destination.name} served by {host(url)}: {size / 1e6:.0f} MB in "
             f"{seconds:.0f} s, md5 verified")
        return url
    raise SourceFailed("; ".join(failures))


def fetch(url: str, destination: Path, md5: str, patience: Patience | None) -> float:
    """Stream ``url`` to ``destination`` (through a partial file), checking its md5 and, unless
    ``patience`` is None, its speed; returns the seconds taken."""
    partial = destination.with_name(destination.name + ".partial")
    digest, start = hashlib.md5(), time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response, partial.open("wb") as file, \
                Meter(int(response.headers.get("Content-Length") or 0) or None, host(url)) as meter:
            while chunk := response.read(CHUNK):
                file.write(chunk)
                digest.update(chunk)
                meter.add(len(chunk))
                if patience is not None:
                    check_speed(meter.done, meter.total, time.monotonic() - start, patience)
    except SourceFailed:
        partial.unlink(missing_ok=True)
        raise
    except OSError as error:  # URLError, HTTPError, timeouts and resets are all OSErrors
        partial.unlink(missing_ok=True)
        raise SourceFailed(f"{type(error).__name__}: {error}") from None
    if digest.hexdigest() != md5:
        partial.unlink(missing_ok=True)
        raise SourceFailed(f"wrong bytes: md5 {digest.hexdigest()}, expected {md5}")
    partial.replace(destination)
    return time.monotonic() - start


def check_speed(done: int, total: int | None, elapsed: float, patience: Patience) -> None:
    """Raise :class:`SourceFailed` if the rest of the download would outlast ``patience``."""
    if elapsed < patience.grace or not total or done <= 0:
        return
    speed = done / elapsed
    left = (total - done) / speed
    if left > patience.seconds:
        raise SourceFailed(f"too slow: {speed / 1e3:.0f} kB/s, about {left / 60:.0f} min left")


def tell(line: str) -> None:
    """A line for the notebook's output and for the terminal of run_all.sh."""
    print(line, flush=True)
    if under_the_pipeline():
        say(line)


class Meter(ClosesItsBar):
    """Bytes downloaded with the speed: a bar on screen, or a line every ``every`` seconds in the
    log of run_all.sh (where a bar's carriage returns would not read)."""

    def __init__(self, total: int | None, name: str, every: float = 10.0) -> None:
        self.total, self.name, self.every, self.done = total, name, every, 0
        self.start = self.shown = time.monotonic()
        self.bar = None if under_the_pipeline() else tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
            mininterval=1.0, file=sys.stderr)

    def add(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        now = time.monotonic()
        if now - self.shown >= self.every:
            self.shown = now
            speed = self.done / (now - self.start)
            of = f" of {self.total / 1e6:.0f} MB" if self.total else ""
            left = (f", about {(self.total - self.done) / speed / 60:.0f} min left"
                    if self.total else "")
            say(f"data: {self.name}: {self.done / 1e6:.0f} MB{of} at {speed / 1e3:.0f} kB/s{left}")


def host(url: str) -> str:
    return urlsplit(url).netloc or url
