"""A real S3-compatible server for the file store's tests: moto in server mode, on loopback.

Started once per test session as a subprocess on a free port. When it cannot start (moto is
not installed, or it does not answer in time) the S3 tests are skipped with the reason.
TEST_S3_ENDPOINT_URL points the tests at another server instead (MinIO, SeaweedFS), with
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

START_WITHIN = 60.0  # seconds; moto imports a lot on a busy machine


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"

    def new_bucket_name(self) -> str:
        return f"ortbot-test-{uuid.uuid4().hex[:12]}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - our loopback server
            return True
    except urllib.error.HTTPError:
        return True  # it answered, if only with an error
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    external = os.environ.get("TEST_S3_ENDPOINT_URL")
    if external:
        yield S3Server(
            external,
            os.environ.get("AWS_ACCESS_KEY_ID", ""),
            os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        )
        return
    if importlib.util.find_spec("moto") is None:
        pytest.skip("no S3-compatible server: install the test extra (moto[server])")
    port = _free_port()
    log = tempfile.TemporaryFile()  # a file, not a pipe: moto logs every request
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_WITHIN
        while not _answers(url):
            if process.poll() is not None:
                log.seek(0)
                reason = log.read().decode(errors="replace")[-300:]
                pytest.skip(f"the moto S3 server did not start: {reason.strip()}")
            if time.monotonic() > deadline:
                pytest.skip(f"the moto S3 server did not answer within {START_WITHIN:.0f} s")
            time.sleep(0.2)
        yield S3Server(url, "test-key-id", "test-secret-key")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
