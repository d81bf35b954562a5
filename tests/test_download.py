"""Downloads against local HTTP servers on the loopback interface: a slow one, one serving wrong
bytes, a good one, and one that is down."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers.core import progress
from helpers.data import download
from helpers.data.download import Patience, SourceFailed

ARCHIVE = bytes(range(256)) * 4096  # 1 MiB standing in for an archive
MD5 = hashlib.md5(ARCHIVE).hexdigest()


def serve(body: bytes, chunk_delay: float = 0.0):
    """A server on 127.0.0.1 sending ``body`` in 64 KiB chunks, ``chunk_delay`` s apart."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for start in range(0, len(body), 1 << 16):
                    self.wfile.write(body[start:start + (1 << 16)])
                    time.sleep(chunk_delay)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on a slow source

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/archive.tar.gz"


@pytest.fixture
def servers():
    started = {"good": serve(ARCHIVE), "wrong": serve(ARCHIVE[:-1] + b"x"),
               "slow": serve(ARCHIVE, chunk_delay=0.2)}
    yield {name: url for name, (_, url) in started.items()}
    for server, _ in started.values():
        server.shutdown()
        server.server_close()


def test_wrong_bytes_and_a_slow_source_are_skipped_for_a_good_one(tmp_path, servers, capsys
                                                                   ) -> None:
    target = tmp_path / "archive.tar.gz"
    patience = Patience(seconds=1.0, grace=0.5)  # 16 chunks at 0.2 s: about 3 s left at 0.5 s
    used = download.download([servers["wrong"], servers["slow"], servers["good"]], target, MD5,
                             patience, label="CIFAR-10")
    assert used == servers["good"] and target.read_bytes() == ARCHIVE
    said = capsys.readouterr().out
    assert "wrong bytes" in said and "too slow" in said
    assert f"CIFAR-10 served by {download.host(servers['good'])}" in said
    assert not list(tmp_path.glob("*.partial"))


def test_the_last_source_is_waited_for_however_slow(tmp_path, servers) -> None:
    target = tmp_path / "archive.tar.gz"
    used = download.download([servers["slow"]], target, MD5, Patience(seconds=0.1, grace=0.1))
    assert used == servers["slow"] and target.read_bytes() == ARCHIVE


def test_every_failure_is_listed_and_nothing_is_left_behind(tmp_path, servers) -> None:
    target = tmp_path / "archive.tar.gz"
    down = "http://127.0.0.1:9/archive.tar.gz"  # nothing listens on port 9
    with pytest.raises(SourceFailed) as caught:
        download.download([down, servers["wrong"]], target, MD5)
    message = str(caught.value)
    assert down in message and servers["wrong"] in message and "wrong bytes" in message
    assert not target.exists() and not list(tmp_path.iterdir())


def test_sources_put_the_users_mirror_first_and_the_original_last(monkeypatch) -> None:
    monkeypatch.delenv(download.MIRROR_ENV, raising=False)
    assert download.sources("a.tgz", ("https://m/a.tgz",), "https://o/a.tgz") == [
        "https://m/a.tgz", "https://o/a.tgz"]
    monkeypatch.setenv(download.MIRROR_ENV, "http://mine/data/")
    assert download.sources("a.tgz", ("https://m/a.tgz",), "https://o/a.tgz") == [
        "http://mine/data/a.tgz", "https://m/a.tgz", "https://o/a.tgz"]


def test_cifar_archives_try_a_byte_identical_mirror_before_toronto(monkeypatch) -> None:
    from helpers.data.sources import CIFAR10_SPEC, CIFAR100_SPEC
    monkeypatch.delenv(download.MIRROR_ENV, raising=False)
    for spec in (CIFAR10_SPEC, CIFAR100_SPEC):
        urls = spec.sources()
        assert len(urls) == 2 and urls[-1].startswith("https://www.cs.toronto.edu/")
        assert Path(urls[0]).name == Path(urls[-1]).name  # the same file, checked by the same md5


def test_a_download_reports_its_progress_to_the_run_log(tmp_path, servers, monkeypatch) -> None:
    monkeypatch.setenv("HELPERS_PROGRESS_LOGS", str(tmp_path))
    monkeypatch.setitem(progress.NOTEBOOK, "name", "04_transfer_learning")
    log = tmp_path / "04_transfer_learning.log"
    download.download([servers["good"]], tmp_path / "a.tgz", MD5, label="CIFAR-100")
    assert "CIFAR-100 served by 127.0.0.1" in log.read_text()
