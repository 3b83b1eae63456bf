"""Background processes of the local cluster: start one detached (its own session and log), wait until it
answers, and stop it later from the pid recorded with its start time (a reused pid is never signalled)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psutil


@dataclass
class Proc:
    """A started process as recorded in the run folder: enough to find it again and stop it."""

    name: str
    pid: int
    started: float  # the process's creation time, so a pid reused by another process is left alone
    stop_signal: int = signal.SIGTERM
    group: bool = True  # its own process group (start_new_session): stop its children with it

    def as_dict(self) -> dict:
        return asdict(self)


def spawn(
    name: str,
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    cwd: Path,
    stop_signal: int = signal.SIGTERM,
) -> Proc:
    """Start `cmd` detached from this process (it outlives `make cluster`), output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        p = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Proc(name, p.pid, psutil.Process(p.pid).create_time(), int(stop_signal))


def adopt(name: str, pid: int, stop_signal: int, group: bool = False) -> Proc:
    """Record a process started by someone else (pg_ctl starts PostgreSQL's postmaster)."""
    return Proc(name, pid, psutil.Process(pid).create_time(), int(stop_signal), group)


def _process(proc: Proc) -> psutil.Process | None:
    """The live process behind a record, or None (gone, a zombie, or the pid now belongs to another)."""
    try:
        p = psutil.Process(proc.pid)
        if abs(p.create_time() - proc.started) > 1 or p.status() == psutil.STATUS_ZOMBIE:
            _reap(proc.pid)
            return None
        return p
    except psutil.NoSuchProcess:
        return None


def _reap(pid: int) -> None:
    """Collect an exited child of this process (the test harness starts the cluster in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def alive(proc: Proc) -> bool:
    return _process(proc) is not None


def kill_now(proc: Proc) -> None:
    """SIGKILL the process and its group at once: a crash, not a shutdown (the failover test)."""
    if _process(proc) is None:
        return
    try:
        if proc.group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 10
    while _process(proc) is not None and time.monotonic() < deadline:
        time.sleep(0.05)


def stop(proc: Proc, timeout: float = 20.0) -> bool:
    """Ask the process to stop with its signal, wait, then SIGKILL what is left of its group; True when it
    was running."""
    p = _process(proc)
    if p is None:
        return False
    try:
        os.kill(proc.pid, proc.stop_signal)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while _process(proc) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    if proc.group:
        try:  # workers a supervisor did not take down with it
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif _process(proc) is not None:
        os.kill(proc.pid, signal.SIGKILL)
    _reap(proc.pid)
    return True


def wait_http(url: str, proc: Proc | None, timeout: float, log: Path | None = None, streak: int = 1) -> None:
    """Wait until GET `url` answers 200 `streak` times in a row, each on a new connection (a node's workers
    each have their own socket: the kernel spreads new connections, so a streak reaches them all)."""
    deadline = time.monotonic() + timeout
    ok = 0
    while time.monotonic() < deadline:
        if proc is not None and not alive(proc):
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{proc.name} exited before it was ready\n{tail}")
        try:
            ok = ok + 1 if httpx.get(url, timeout=15).status_code == 200 else 0
        except httpx.HTTPError:
            ok = 0
        if ok >= streak:
            return
        time.sleep(0.05 if ok else 0.3)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s")


def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1 (all bound at once, so none repeats), for local servers."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
