"""`make cluster`: the multi-node deployment on one machine, in a run folder (data/cluster/): PostgreSQL with
pgvector (PyPI pgserver), Debian's redis-server, the schema and the index published into PostgreSQL, N nodes
of `onething serve --workers W` (each its own data folder, all the same database, Redis and secrets), one
single-process console per node (Gradio keeps page state in its process), and Debian's nginx in front.
Every pid is recorded in cluster.json with its start time; `make cluster-stop` stops exactly those."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import PROJECT_ROOT, Settings
from assistant.ops import nginx
from assistant.ops.procs import Proc, adopt, alive, spawn, stop, wait_http

RUN_DIR = PROJECT_ROOT / "data" / "cluster"
STATE = "cluster.json"


@dataclass
class ClusterSpec:
    """Where and how: ports on 127.0.0.1, how many nodes and workers, extra ONETHING_* for every node."""

    run_dir: Path = RUN_DIR
    port: int = 8080  # nginx: the one address clients use
    node_ports: list[int] = field(default_factory=lambda: [8101, 8102])
    console_ports: list[int] = field(default_factory=lambda: [8111, 8112])
    redis_port: int = 6390
    workers: int = 2
    env: dict[str, str] = field(default_factory=dict)
    ready_seconds: float = 240.0


@dataclass
class Cluster:
    """A running cluster as recorded in its run folder."""

    run_dir: Path
    url: str
    env: dict[str, str]  # what every node shares: database, Redis, secrets, vector store, trusted proxy
    procs: list[Proc]

    def proc(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)

    def save(self) -> None:
        state = {
            "url": self.url,
            "env": self.env,
            "procs": [p.as_dict() for p in self.procs],
        }
        path = self.run_dir / STATE
        path.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        path.chmod(0o600)  # it holds the console secret and the metrics token
        env_file = self.run_dir / "cluster.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(self.env.items())), encoding="utf-8")
        env_file.chmod(0o600)


def load(run_dir: Path = RUN_DIR) -> Cluster | None:
    path = run_dir / STATE
    if not path.exists():
        return None
    state = json.loads(path.read_text(encoding="utf-8"))
    return Cluster(run_dir, state["url"], state["env"], [Proc(**p) for p in state["procs"]])


def _secrets(run_dir: Path) -> dict[str, str]:
    """The console secret and metrics token of this run folder: made once, kept across restarts."""
    path = run_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    values = {
        "ONETHING_CONSOLE_SECRET": secrets.token_urlsafe(32),
        "ONETHING_METRICS_TOKEN": secrets.token_urlsafe(24),
    }
    path.write_text(json.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return values


def start_postgres(run_dir: Path) -> tuple[Proc, str]:
    """pgserver's PostgreSQL (pgvector included) on a Unix socket in run_dir/pg, left running; a database
    `onething`; returns the postmaster and the SQLAlchemy URL."""
    with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR under make/cron (it uses /tmp)
        warnings.simplefilter("ignore")
        import pgserver

        srv = pgserver.get_server(str(run_dir / "pg"), cleanup_mode=None)  # None: it outlives this process
    if "1 row" not in srv.psql("SELECT 1 FROM pg_database WHERE datname = 'onething';"):
        srv.psql("CREATE DATABASE onething;")
    host = srv.get_uri().split("host=")[1]
    # SIGINT: PostgreSQL's fast shutdown (clients disconnected, everything committed is on disk)
    return adopt(
        "postgres", srv.get_pid(), signal.SIGINT
    ), f"postgresql+psycopg://postgres@/onething?host={host}"


def start_redis(run_dir: Path, port: int, env: dict[str, str]) -> tuple[Proc, str]:
    """Debian's redis-server on 127.0.0.1:port; nothing saved to disk (limits, cached query vectors and
    console sessions are all short-lived)."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server 未安装：make redis")
    folder = run_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""]
    cmd += ["--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
    proc = spawn("redis", cmd, env, folder / "redis.log", folder)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    for _ in range(200):
        if not alive(proc):
            raise RuntimeError((folder / "redis.log").read_text(errors="replace")[-1000:])
        try:
            if client.ping():
                return proc, url
        except redis.RedisError:
            pass
        time.sleep(0.05)
    raise TimeoutError("redis-server did not answer PING")


def _onething(args: list[str], env: dict[str, str], log: Path) -> str:
    """Run `onething …` (this interpreter, this source tree) to completion; its output, or raise with it."""
    r = subprocess.run(
        [sys.executable, "-m", "assistant", *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ onething {' '.join(args)}\n{r.stdout}{r.stderr}\n")
    if r.returncode != 0:
        raise RuntimeError(f"onething {' '.join(args)} failed:\n{r.stdout[-1500:]}{r.stderr[-1500:]}")
    return r.stdout


def publish_index(run_dir: Path, env: dict[str, str]) -> str:
    """`onething db upgrade` then `onething index` with pgvector, from run_dir/indexer. The project's own
    FAISS build (data/index) is copied there first when present: its vectors are reused, not re-embedded."""
    data = run_dir / "indexer"
    backend = Settings().embedding_backend
    local = PROJECT_ROOT / "data" / "index" / backend
    if local.exists() and not (data / "index" / backend).exists():
        shutil.copytree(local, data / "index" / backend, symlinks=True)
    env = {**env, "ONETHING_DATA_DIR": str(data)}
    data.mkdir(parents=True, exist_ok=True)
    log = data / "index.log"
    _onething(["db", "upgrade"], env, log)
    return _onething(["index"], env, log)


def shared_settings(db_url: str, redis_url: str, keys: dict[str, str]) -> dict[str, str]:
    """What every node is given alike (deploy/onething.env.example has the same names): one database with
    the index in it, one Redis, nginx as the trusted proxy, one console secret and metrics token."""
    return {
        "ONETHING_DATABASE_URL": db_url,
        "ONETHING_VECTOR_STORE": "pgvector",
        "ONETHING_REDIS_URL": redis_url,
        "ONETHING_TRUSTED_PROXIES": "127.0.0.1",  # nginx's address as the nodes see it
        "ONETHING_CONSOLE_SECRET": keys["ONETHING_CONSOLE_SECRET"],
        "ONETHING_METRICS_TOKEN": keys["ONETHING_METRICS_TOKEN"],
    }


def _node_env(shared: dict[str, str], run_dir: Path, name: str, console: bool) -> dict[str, str]:
    return {
        **shared,
        "ONETHING_DATA_DIR": str(run_dir / name),
        "ONETHING_NODE_NAME": name,
        "ONETHING_CONSOLE_ENABLED": "true" if console else "false",
    }


def _serve(name: str, port: int, workers: int, env: dict[str, str], log: Path) -> Proc:
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return spawn(name, [*cmd, "--workers", str(workers)], env, log, PROJECT_ROOT)


def start(spec: ClusterSpec, say=print) -> Cluster:
    """Start every piece, wait until each answers, record them; on any failure stop what was started."""
    run_dir = spec.run_dir.resolve()
    running = load(run_dir)
    if running is not None and any(alive(p) for p in running.procs):
        raise RuntimeError(f"集群已在运行：{running.url}（先 make cluster-stop）")
    binary = nginx.find_nginx()
    if binary is None:
        raise RuntimeError("nginx 未安装：make nginx")
    run_dir.mkdir(parents=True, exist_ok=True)
    base = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }
    cluster = Cluster(run_dir, f"http://127.0.0.1:{spec.port}", {}, [])
    try:
        pg, db_url = start_postgres(run_dir)
        cluster.procs.append(pg)
        cluster.save()
        say(f"PostgreSQL (pgvector): pid {pg.pid}")
        rd, redis_url = start_redis(run_dir, spec.redis_port, base)
        cluster.procs.append(rd)
        cluster.save()
        say(f"Redis: {redis_url}, pid {rd.pid}")
        cluster.env = shared_settings(db_url, redis_url, _secrets(run_dir)) | spec.env
        shared = {**base, **cluster.env}
        say("数据库结构与索引（pgvector）…")
        say(publish_index(run_dir, shared).strip())
        # every node: the API with W workers, and (when a port is given) a single-process console beside it
        waits: list[tuple[Proc, int, int, Path]] = []  # process, port, ready streak, log
        for i, port in enumerate(spec.node_ports, start=1):
            name = f"node{i}"
            runs = [(name, port, spec.workers, False)]
            if i <= len(spec.console_ports):
                runs.append((f"{name}-console", spec.console_ports[i - 1], 1, True))
            for label, p, workers, console in runs:
                log = run_dir / name / f"{label}.log"
                proc = _serve(label, p, workers, _node_env(shared, run_dir, name, console), log)
                cluster.procs.append(proc)
                waits.append((proc, p, 4 * workers, log))
            cluster.save()
        for proc, p, streak, log in waits:
            wait_http(f"http://127.0.0.1:{p}/readyz", proc, spec.ready_seconds, log, streak)
            say(f"{proc.name}: http://127.0.0.1:{p} 就绪，pid {proc.pid}")
        conf = nginx.write_config(
            run_dir / "nginx",
            f"127.0.0.1:{spec.port}",
            [f"127.0.0.1:{p}" for p in spec.node_ports],
            [f"127.0.0.1:{p}" for p in spec.console_ports[: len(spec.node_ports)]],
        )
        nginx.check(binary, run_dir / "nginx", conf)
        ng = nginx.start(binary, run_dir / "nginx", conf, base)
        cluster.procs.append(ng)
        cluster.save()
        wait_http(f"{cluster.url}/readyz", ng, 30, run_dir / "nginx" / "error.log")
        say(f"nginx: {cluster.url}，pid {ng.pid}")
    except BaseException:
        stop_cluster(run_dir)
        raise
    return cluster


def stop_cluster(run_dir: Path = RUN_DIR, say=print) -> list[str]:
    """Stop the recorded processes, front to back (nginx, nodes, Redis, PostgreSQL); returns their names."""
    cluster = load(run_dir.resolve())
    if cluster is None:
        return []
    stopped = [p.name for p in reversed(cluster.procs) if stop(p)]
    for name in stopped:
        say(f"已停止 {name}")
    (cluster.run_dir / STATE).unlink(missing_ok=True)
    return stopped


cli = typer.Typer(help="本机多节点集群（make cluster / make cluster-stop）", no_args_is_help=True)


@cli.command("start")
def start_cmd(
    port: Annotated[int, typer.Option(help="nginx 端口（对外的唯一地址）")] = 8080,
    nodes: Annotated[int, typer.Option(help="节点数")] = 2,
    workers: Annotated[int, typer.Option(help="每个节点的工作进程数")] = 2,
    run_dir: Annotated[Path, typer.Option(help="运行目录")] = RUN_DIR,
) -> None:
    """启动 PostgreSQL（pgvector）、Redis、索引、各节点和 nginx，打印地址后返回（进程在后台）。"""
    spec = ClusterSpec(
        run_dir=run_dir,
        port=port,
        node_ports=[8100 + i for i in range(1, nodes + 1)],
        console_ports=[8110 + i for i in range(1, nodes + 1)],
        workers=workers,
    )
    try:
        cluster = start(spec)
    except RuntimeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"\n集群已启动：{cluster.url}/  （挂件演示页）  接口文档 {cluster.url}/docs  工作台 {cluster.url}/console\n"
        f"共用配置：{cluster.run_dir / 'cluster.env'}；进程号：{cluster.run_dir / STATE}；停止：make cluster-stop"
    )


@cli.command("stop")
def stop_cmd(run_dir: Annotated[Path, typer.Option(help="运行目录")] = RUN_DIR) -> None:
    """按记录的进程号停止集群的全部进程。"""
    if not stop_cluster(run_dir):
        typer.echo("没有在运行的集群。")


@cli.command("status")
def status_cmd(run_dir: Annotated[Path, typer.Option(help="运行目录")] = RUN_DIR) -> None:
    """列出记录的进程及是否在运行。"""
    cluster = load(run_dir.resolve())
    if cluster is None:
        typer.echo("没有在运行的集群。")
        return
    typer.echo(cluster.url)
    for p in cluster.procs:
        typer.echo(f"{p.name:16} pid {p.pid:<8} {'运行中' if alive(p) else '已退出'}")


if __name__ == "__main__":
    cli()
