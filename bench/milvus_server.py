"""A Milvus Lite server in a child process, as a team would run Milvus: the gRPC protocol on
TCP, which pymilvus reaches at `http://127.0.0.1:<port>` from any number of processes.

    with MilvusLiteServer(folder) as server:   # started, accepting connections
        StoreConfig(vector_store="milvus", milvus_uri=server.uri)

`python -m milvus_lite server --data-dir D --host 127.0.0.1 --port P` (the milvus-lite
package of requirements.txt) holds its folder's lock while it runs. `stop()` ends it as
Ctrl-C does (in-flight requests drained, the folder closed), `kill()` as a crash does;
`start()` again serves the same folder on the same port, so the URI stays valid. The
benchmarks and the tests (tests/conftest.py) both use it.
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

READY_TIMEOUT = 60.0  # seconds for the server to open its folder and accept connections
STOP_TIMEOUT = 15.0  # seconds for it to drain and close before it is killed


class MilvusServerError(RuntimeError):
    """The server did not start (its log says why)."""


def _hear_interrupts() -> None:
    """In the child before it runs: SIGINT back to its default. A shell starts a background job
    (`python -m bench.scale_bench … &`) with SIGINT ignored, the child inherits that, and Python
    then installs no KeyboardInterrupt handler: `stop()` would wait out its timeout."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MilvusLiteServer:
    """One `milvus_lite server` process serving `data_dir` on 127.0.0.1 (its log beside the folder)."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.log_path = self.data_dir.with_name(self.data_dir.name + ".log")
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> MilvusLiteServer:
        if self.running:
            return self
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(self.data_dir),
                 "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_hear_interrupts)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise MilvusServerError(f"the Milvus Lite server exited with {self.process.returncode}: "
                                        f"{self._log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise MilvusServerError(f"the Milvus Lite server did not accept connections on port {self.port} "
                                f"within {READY_TIMEOUT:.0f} s: {self._log_tail()}")

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End it as Ctrl-C does: requests in flight are drained and its folder closed (which
        waits for the indexes it is still building; after `timeout` seconds it is killed)."""
        if not self.running:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """End it as a crash does (no draining, no closing)."""
        if self.running:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def _log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError as exc:
            return f"(its log {self.log_path} cannot be read: {exc})"

    def __enter__(self) -> MilvusLiteServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
