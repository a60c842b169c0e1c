"""A throwaway PostgreSQL cluster for the server tests: a temporary folder, a unix socket in
it (no TCP port at all), stopped and removed at the end.

As root the server runs as the ``postgres`` system user (PostgreSQL refuses to run as root).
Where no PostgreSQL can be had, :func:`why_unavailable` says why in one line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

DBNAME = "mgso4"
TEMPLATE = "mgso4_template"
ADMIN = "mgso4_dba"
WARD = "ward_pc"
AUDITOR = "auditor"


def bindir() -> Path | None:
    """PostgreSQL's programs (``pg_config --bindir``), or None."""
    pg_config = shutil.which("pg_config")
    candidates = []
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def why_unavailable() -> str | None:
    """Why no throwaway server can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (make setup)"
    if bindir() is None:
        return "PostgreSQL is not installed (apt-get install postgresql, or run make test as root)"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres system user to run the server as"
    return None


class Cluster:
    """One throwaway cluster with a unit record made by ``mgso4 server init``."""

    def __init__(self, *, fsync: bool = False) -> None:
        # fsync off by default: a killed server process (not a power cut) loses nothing it
        # acknowledged either way, and a test run on a busy machine stays quick. The
        # benchmarks turn it on.
        self.fsync = fsync
        folder = bindir()
        assert folder is not None
        self.bin = folder
        self.root = Path(tempfile.mkdtemp(prefix="mgso4-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.socket.mkdir()
        self.log = self.root / "server.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            self.root.chmod(0o755)
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket, "postgres")
        self.port = 5432
        self.started = False

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(
            command, check=check, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D", str(self.data),
            "-U", ADMIN,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )  # fmt: skip
        durable = "on" if self.fsync else "off"
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\nlisten_addresses = ''\n"
                f"unix_socket_directories = '{self.socket}'\n"
                "synchronous_commit = on\nmax_connections = 60\n"
                f"fsync = {durable}\nfull_page_writes = {durable}\n"
                "shared_buffers = 16MB\n"
            )

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.started = True

    def start_again(self, timeout_s: float = 90) -> None:
        """Start after :meth:`kill`: the old server's processes may take a moment to notice
        and leave its shared memory, so the start is tried until it succeeds."""
        import time

        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.start()
                return
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
            check=False,
        )  # fmt: skip
        self.started = False

    def kill(self) -> None:
        """The server process killed outright (kill -9), as by a crash or power cut."""
        pid_file = self.data / "postmaster.pid"
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 9)
        self.started = False

    def uri(self, user: str = WARD, dbname: str = DBNAME) -> str:
        return f"postgresql://{user}@/{dbname}?host={self.socket}&port={self.port}"

    def setup_record(self) -> None:
        """A database, the ward PCs' and auditor's logins, and ``mgso4 server init``."""
        import psycopg

        from mgso4.core.timeutil import utcnow
        from mgso4.storage.server.schema import init_server

        with psycopg.connect(self.uri(ADMIN, "postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {WARD} LOGIN")
            admin.execute(f"CREATE ROLE {AUDITOR} LOGIN")
            for name in (DBNAME, TEMPLATE):
                admin.execute(f"CREATE DATABASE {name}")
        for name in (DBNAME, TEMPLATE):
            with psycopg.connect(self.uri(ADMIN, name), autocommit=True) as admin:
                init_server(
                    admin,
                    created_at=utcnow(),
                    app_version="test",
                    app_logins=(WARD,),
                    audit_logins=(AUDITOR,),
                )

    def fresh_database(self) -> str:
        """A new, empty unit record in its own database (a copy of the one ``mgso4 server
        init`` made, never used itself); its URI for the ward login."""
        import psycopg

        name = f"r{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.uri(ADMIN, "postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.uri(WARD, name)

    def remove(self) -> None:
        if self.started:
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
