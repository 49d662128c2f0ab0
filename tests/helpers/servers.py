"""A database server of a test's own, for the tests that kill a server or start one with other
options: bin/dbserver with its own directory and a free port, so the other tests' server is never
touched.

    from helpers.servers import LOST, private_server

    with private_server("billdur-") as server:
        url = server.start()
        ...
        server.kill()              # SIGKILL; returns when the process is gone
        url = server.start()       # InnoDB crash recovery

The directory is under /tmp (a unix socket's path is short); `extra_args` may name it as {dir}
(e.g. "--log-bin={dir}/binlog --server-id=1"). When the block ends the server is stopped if it
still runs and its directory is removed.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBSERVER = str(ROOT / "bin" / "dbserver")
LOST = (2002, 2006, 2013)          # client errors: can't connect, server gone, connection lost


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateServer:
    def __init__(self, base, env):
        self.dir = base
        self.env = env

    def run(self, command):
        """bin/dbserver COMMAND on this server; returns the last line it printed (start: the
        server's URL)."""
        out = subprocess.run([DBSERVER, command], env=self.env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, f"bin/dbserver {command}: {out.stdout}{out.stderr}"
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""

    def start(self):
        return self.run("start")

    def stop(self):
        return self.run("stop")

    def pid(self):
        return int((self.dir / "mysqld.pid").read_text())

    def kill(self, timeout=30):
        """SIGKILLs the server and waits until its process is gone."""
        pid = self.pid()
        self.run("kill")
        deadline = time.monotonic() + timeout
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), f"server {pid} still there after SIGKILL"


@contextlib.contextmanager
def private_server(prefix, buffer_pool="64M", extra_args=None):
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if k != "BILLING_DATABASE_URL"}
    env.update(BILLING_DB_DIR=str(base), BILLING_DB_PORT=str(free_port()),
               BILLING_DB_NAME="billing", BILLING_DB_BUFFER_POOL=buffer_pool)
    if extra_args:
        env["BILLING_DB_EXTRA_ARGS"] = extra_args.format(dir=base)
    try:
        yield PrivateServer(base, env)
    finally:
        if (base / "mysqld.pid").exists():
            subprocess.run([DBSERVER, "stop"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)
