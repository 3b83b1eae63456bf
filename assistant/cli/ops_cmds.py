"""`onething serve|staff-hash|purge`: run the service, make staff accounts, delete old personal data."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.base import app, console
from assistant.config import ConfigError, check_shared_secret, get_settings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
    workers: Annotated[int, typer.Option(help="工作进程数")] = 1,
) -> None:
    """启动服务：网页挂件演示页、API（/api/v1）、工作台（/console）。"""
    from assistant.api.app import serve as run

    settings = get_settings()
    try:
        check_shared_secret(settings)
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    h, p = host or settings.host, port or settings.port
    if workers > 1 and settings.console_enabled:
        console.print(
            "[yellow]注意：工作台（Gradio）的页面状态在各进程内，多进程时请求可能落到不同进程。"
            "建议 API 多进程运行时设 ONETHING_CONSOLE_ENABLED=false，另用单进程启动工作台：\n"
            "  ONETHING_CONSOLE_SECRET=… onething serve --workers 1 --port 8001[/yellow]"
        )
    if "*" in settings.cors_origins and settings.console_enabled:
        console.print(
            "[yellow]注意：ONETHING_CORS_ORIGINS 为 *（任何网站都可调用本服务的接口），同时启用了工作台。"
            "生产环境请把它设为嵌入挂件的网站，例如 ONETHING_CORS_ORIGINS='[\"https://zwfw.example.gov.cn\"]'。[/yellow]"
        )
    console.print(
        f"一件事助手已启动：http://{h}:{p}/  （挂件演示页）  接口文档 http://{h}:{p}/docs  工作台 http://{h}:{p}/console"
    )
    run(h, p, workers)


@app.command("staff-hash")
def staff_hash(user: Annotated[str, typer.Argument(help="工作人员用户名")]) -> None:
    """生成工作台账号配置（输入密码，输出 ONETHING_STAFF_ACCOUNTS 的一项）。"""
    from assistant.console.auth import hash_password

    password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    console.print(f"{user}:{hash_password(password)}")


@app.command()
def purge(
    days: Annotated[int | None, typer.Option(help="删除超过该天数未活动的会话；默认按配置")] = None,
) -> None:
    """按保留期限删除个人数据（会话、消息、草稿、评价、转人工记录）。"""
    from assistant.store import get_store

    settings = get_settings()
    n = get_store(settings.db_url).purge_older_than(days if days is not None else settings.retention_days)
    console.print(f"已删除 {n} 个过期会话。")


db_app = typer.Typer(help="数据库结构（alembic 迁移）", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="目标版本，默认最新")] = "head",
) -> None:
    """把数据库结构升级到最新（或指定）版本；迁移前建的库先标记为 0001 再升级。"""
    from sqlalchemy import create_engine

    from assistant.store.schema import current, upgrade

    settings = get_settings()
    engine = create_engine(settings.db_url)
    before = current(engine)
    after = upgrade(engine, revision)
    console.print(f"数据库结构：{before or '（无版本）'} → {after}")


@db_app.command("current")
def db_current() -> None:
    """显示数据库当前的结构版本和最新版本。"""
    from sqlalchemy import create_engine

    from assistant.store.schema import current, head

    engine = create_engine(get_settings().db_url)
    console.print(f"当前：{current(engine) or '（无版本）'}；最新：{head()}")
