"""The production recipe in deploy/ matches what `make cluster` runs: envsubst renders the nginx template
exactly as the launcher does and nginx accepts it; the systemd units pass `systemd-analyze verify`; the
example environment names only real settings, and every setting the cluster shares among its nodes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.ops import nginx
from assistant.ops.cluster import shared_settings

DEPLOY = PROJECT_ROOT / "deploy"
PRODUCTION = nginx.site_values(
    "80",
    ["10.0.0.21:8000", "10.0.0.22:8000", "10.0.0.23:8000"],
    ["10.0.0.21:8001"],
)


@pytest.mark.skipif(shutil.which("envsubst") is None, reason="envsubst (gettext-base) missing")
def test_envsubst_renders_the_template_as_the_launcher_does():
    template = (DEPLOY / "nginx" / "onething.conf.template").read_text(encoding="utf-8")
    names = " ".join(f"${{{k}}}" for k in PRODUCTION)
    r = subprocess.run(
        ["envsubst", names], input=template, env=PRODUCTION, capture_output=True, text=True, check=True
    )
    assert r.stdout == nginx.render(template, PRODUCTION)
    assert "$remote_addr" in r.stdout and not re.search(r"\$\{ONETHING_NGINX_[A-Z_]+\}", r.stdout)


@pytest.mark.skipif(nginx.find_nginx() is None, reason="Debian's nginx is not installed (make nginx)")
def test_nginx_accepts_the_production_rendering(tmp_path: Path):
    conf = nginx.write_config(
        tmp_path, "127.0.0.1:1", ["10.0.0.21:8000", "10.0.0.22:8000"], ["10.0.0.21:8001"]
    )
    nginx.check(nginx.find_nginx(), tmp_path, conf)  # raises with nginx's message when it is wrong


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_the_systemd_units_verify(tmp_path: Path):
    # the units name /opt/onething/.venv/bin/onething; verify checks executables, so point them at this one
    bindir = Path(sys.executable).parent
    if not (bindir / "onething").exists():
        pytest.skip("the onething command is not installed in this environment")
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = unit.read_text(encoding="utf-8").replace("/opt/onething/.venv/bin/", f"{bindir}/")
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
        units.append(str(tmp_path / unit.name))
    r = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == "" and r.stdout.strip() == "", r.stderr + r.stdout


def test_the_example_environment_names_real_settings_and_all_the_cluster_shares():
    lines = (DEPLOY / "onething.env.example").read_text(encoding="utf-8").splitlines()
    names = {m.group(1) for line in lines if (m := re.match(r"(ONETHING_[A-Z_]+)=", line))}
    fields = {f"ONETHING_{k.upper()}" for k in Settings.model_fields}
    assert names <= fields
    keys = {"ONETHING_CONSOLE_SECRET": "s", "ONETHING_METRICS_TOKEN": "t"}
    shared = set(shared_settings("postgresql+psycopg://db", "redis://r", keys))  # what make cluster shares
    assert shared <= names
    units = " ".join(p.read_text(encoding="utf-8") for p in (DEPLOY / "systemd").glob("*.service"))
    for per_node in ("ONETHING_NODE_NAME", "ONETHING_CONSOLE_ENABLED", "ONETHING_DATA_DIR"):
        assert per_node in units
