"""nginx in front of the nodes: render deploy/nginx/*.template (the `${ONETHING_NGINX_*}` names only, as
`envsubst` given those names does in production) into a run folder, check it, and run nginx from there."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.ops.procs import Proc, spawn

TEMPLATES = PROJECT_ROOT / "deploy" / "nginx"
_NAME = re.compile(r"\$\{(ONETHING_NGINX_[A-Z0-9_]+)\}")


def find_nginx() -> str | None:
    """Debian's nginx (`make nginx` installs it); None when it is missing."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def render(template: str, values: dict[str, str]) -> str:
    """Fill in `${ONETHING_NGINX_*}`; a name without a value is an error (nginx's own $variables stay)."""

    def fill(m: re.Match) -> str:
        if m.group(1) not in values:
            raise KeyError(f"no value for ${{{m.group(1)}}}")
        return values[m.group(1)]

    return _NAME.sub(fill, template)


def server_lines(addresses: list[str]) -> str:
    """The upstream `server` lines: a node that fails a connection is skipped for 5 s, then tried again."""
    return " ".join(f"server {a} max_fails=1 fail_timeout=5s;" for a in addresses)


def site_values(listen: str, api: list[str], console: list[str], extra: str = "") -> dict[str, str]:
    """The template's values: where nginx listens, the API nodes, the console processes, extra server lines."""
    return {
        "ONETHING_NGINX_LISTEN": listen,
        "ONETHING_NGINX_API_SERVERS": server_lines(api),
        "ONETHING_NGINX_CONSOLE_SERVERS": server_lines(console),
        "ONETHING_NGINX_SERVER_EXTRA": extra,
    }


def write_config(run_dir: Path, listen: str, api: list[str], console: list[str]) -> Path:
    """Render the site (onething.conf) and the main configuration into `run_dir`; returns the main file."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    values = site_values(listen, api, console) | {"ONETHING_NGINX_RUN_DIR": str(run_dir.resolve())}
    site = render((TEMPLATES / "onething.conf.template").read_text(encoding="utf-8"), values)
    (run_dir / "onething.conf").write_text(site, encoding="utf-8")
    main = render((TEMPLATES / "local-main.conf.template").read_text(encoding="utf-8"), values)
    (run_dir / "nginx.conf").write_text(main, encoding="utf-8")
    return run_dir / "nginx.conf"


def _args(binary: str, run_dir: Path, conf: Path) -> list[str]:
    # -p: relative paths under the run folder; -e: the error log before the configuration is read
    return [binary, "-p", str(run_dir), "-c", str(conf), "-e", str(run_dir / "error.log")]


def check(binary: str, run_dir: Path, conf: Path) -> None:
    """`nginx -t`: raise with nginx's own message when the configuration is wrong."""
    r = subprocess.run([*_args(binary, run_dir, conf), "-t"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{r.stderr}")


def start(binary: str, run_dir: Path, conf: Path, env: dict[str, str]) -> Proc:
    """nginx in the foreground of its own session (the master's pid is recorded; SIGQUIT stops it
    gracefully: requests in flight finish)."""
    return spawn(
        "nginx",
        [*_args(binary, run_dir, conf), "-g", "daemon off;"],
        env,
        run_dir / "nginx.out",
        run_dir,
        stop_signal=signal.SIGQUIT,
    )
