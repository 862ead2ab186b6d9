"""`make run`: builds what is missing (models, database), starts every process of the product, prints the URLs,
and stops them all on Ctrl-C. Each process logs to var/logs/<name>.log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bot import training
from bot.auth import demo_staff_file, seed_demo_staff
from bot.db import engine_for, init_db, session_scope
from bot.jurisdiction import load_jurisdiction
from bot.logs import setup_logging
from bot.settings import ROOT, Settings, get_settings


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str | None
    process: subprocess.Popen | None = None


def rasa_venv() -> Path:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "rasa-venv.sh")],
        check=True,
        capture_output=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


def rasa_model() -> Path:
    """Trains the Rasa model if its inputs changed (the script keys the model by their hash) and returns it."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "train-rasa.sh")], check=True, stdout=subprocess.PIPE, text=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


def prepare(settings: Settings) -> list[tuple[str, str, str]]:
    """Classifier model, database, departments and demo staff. Returns newly created demo logins."""
    training.train_missing(settings.model_dir, settings.real_data_dir)
    engine = engine_for(settings.database_url)
    init_db(engine, load_jurisdiction())
    with session_scope(engine) as s:
        return [(u, p, r) for u, p, r, *_ in seed_demo_staff(s)]


def endpoints_file(settings: Settings, var: Path) -> Path:
    """endpoints.yml with the action server URL of this run (ports are settings, the file is a default)."""
    data = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    data["action_endpoint"] = {"url": f"http://127.0.0.1:{settings.action_port}/webhook"}
    path = var / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def services(settings: Settings, venv: Path, model: Path) -> list[Service]:
    py = sys.executable
    var = settings.var_dir
    rasa_port = settings.rasa_url.rsplit(":", 1)[-1]
    svc = [
        Service(
            "actions",
            [py, "-m", "rasa_sdk", "--actions", "handlers.actions", "--port", str(settings.action_port)],
            f"http://127.0.0.1:{settings.action_port}/health",
        ),
        Service(
            "rasa",
            [
                str(venv / "bin" / "rasa"),
                "run",
                "--enable-api",
                "--model",
                str(model),
                "--endpoints",
                str(endpoints_file(settings, var)),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--port",
                rasa_port,
            ],
            f"{settings.rasa_url}/status",
        ),
        Service(
            "web",
            [
                py,
                "-m",
                "uvicorn",
                "handlers.webchat:create_app",
                "--factory",
                "--host",
                settings.web_host,
                "--port",
                str(settings.web_port),
            ],
            f"http://127.0.0.1:{settings.web_port}/healthz",
        ),
    ]
    if settings.telegram_token:
        svc.append(Service("telegram", [py, "-m", "handlers.telegram"], None))
    return svc


def start(svc: Service, log_dir: Path, env: dict[str, str]) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{svc.name}.log", "ab") as log:  # the child keeps its own copy of the descriptor
        svc.process = subprocess.Popen(
            svc.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_healthy(svcs: list[Service], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = [s for s in svcs if s.health_url]
    while pending and time.monotonic() < deadline:
        for s in list(pending):
            if s.process and s.process.poll() is not None:
                raise RuntimeError(f"{s.name} exited with code {s.process.returncode}; see var/logs/{s.name}.log")
            try:
                if httpx.get(s.health_url, timeout=2).status_code < 500:
                    pending.remove(s)
                    print(f"  {s.name} is up")
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    if pending:
        raise RuntimeError("not up in time: " + ", ".join(s.name for s in pending))


def stop(svcs: list[Service]) -> None:
    for s in svcs:
        if s.process and s.process.poll() is None:
            os.killpg(s.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for s in svcs:
        if s.process:
            try:
                s.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(s.process.pid, signal.SIGKILL)


def main() -> None:
    setup_logging()
    settings = get_settings()
    t0 = time.monotonic()
    print("准备中：Rasa 环境、分类模型、数据库 ...")
    venv = rasa_venv()
    created = prepare(settings)
    model = rasa_model()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
    svcs = services(settings, venv, model)
    log_dir = settings.var_dir / "logs"
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        for s in svcs:
            start(s, log_dir, env)
        wait_healthy(svcs, timeout=float(os.environ.get("START_TIMEOUT", "300")))
        base = settings.public_url
        print(f"\n信访受理助手已启动（{time.monotonic() - t0:.0f} 秒）：")
        print(f"  群众留言（网页聊天）  {base}/")
        print(f"  承办部门              {base}/department")
        print(f"  话务员（电话登记）    {base}/operator")
        print(f"  督办统计              {base}/supervisor")
        print(f"  Rasa 服务器           {settings.rasa_url}")
        print(
            "  Telegram 机器人       "
            + ("已启动" if settings.telegram_token else "未启动（设置 TELEGRAM_BOT_TOKEN 后启用）")
        )
        if created:
            print(f"  演示账号已生成，密码见 {demo_staff_file()}")
        print("按 Ctrl-C 停止全部服务。", flush=True)
        while all(s.process.poll() is None for s in svcs):
            time.sleep(1)
        dead = [s.name for s in svcs if s.process.poll() is not None]
        print(f"服务意外退出：{', '.join(dead)}（日志在 {log_dir}），正在停止其余服务。", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\n正在停止 ...")
    finally:
        stop(svcs)


if __name__ == "__main__":
    main()
