"""Several server processes on one port, each with its own listening socket (SO_REUSEPORT).

With uvicorn's own `--workers`, all processes accept from one shared socket, and long-lived keep-alive
connections pile up on whichever process wakes first (seen here: one worker at 87 % CPU, the other at 9 %).
With SO_REUSEPORT the kernel spreads new connections over the processes' sockets. The supervisor restarts a
worker that dies and stops them all on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import socket
import time

from assistant.api.metrics import worker_exited

log = logging.getLogger("onething.api")
APP = "assistant.api.app:create_app"


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and os.name == "posix" and os.uname().sysname == "Linux"


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int) -> None:  # pragma: no cover - runs in the child processes
    import uvicorn

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides; SIGTERM stops uvicorn cleanly
    sock = _listening_socket(host, port)
    from assistant.api.app import uvicorn_options

    config = uvicorn.Config(
        APP, factory=True, log_level="warning", timeout_graceful_shutdown=10, **uvicorn_options()
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_reuse_port(host: str, port: int, workers: int) -> None:
    """Run `workers` processes until SIGTERM/SIGINT; a worker that exits on its own is started again."""
    ctx = mp.get_context("spawn")
    # bind once here first, so a port already in use fails loudly before any worker starts
    _listening_socket(host, port).close()
    procs: list[mp.Process] = []
    stopping = False

    def start() -> mp.Process:
        p = ctx.Process(target=_worker, args=(host, port), daemon=False)
        p.start()
        return p

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    procs = [start() for _ in range(workers)]
    restarts: list[float] = []
    try:
        while not stopping:
            time.sleep(0.5)
            for i, p in enumerate(procs):
                if not p.is_alive() and not stopping:
                    now = time.monotonic()
                    restarts = [t for t in restarts if now - t < 60] + [now]
                    if len(restarts) > 5 * workers:
                        log.error("workers keep dying (exit code %s); stopping", p.exitcode)
                        stopping = True
                        break
                    log.warning("worker %d exited with %s; starting it again", p.pid, p.exitcode)
                    worker_exited(p.pid)
                    procs[i] = start()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        deadline = time.monotonic() + 15
        for p in procs:
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(5)
            worker_exited(p.pid)
