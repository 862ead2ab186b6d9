"""`make run`: builds what is missing (models, database), starts every process of the product, prints the URLs,
and stops them all on Ctrl-C. Each process logs to var/logs/<name>.log."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from sqlalchemy.engine import make_url

from bot import training
from bot.auth import demo_staff_file, seed_demo_staff
from bot.db import engine_for, init_db, session_scope
from bot.jurisdiction import load_jurisdiction
from bot.logs import setup_logging
from bot.settings import ROOT, Settings, get_settings
from bot.tickets import decline_grounds

log = logging.getLogger("launcher")


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str | None
    process: subprocess.Popen | None = None
    port: int | None = None  # checked free before the start
    restarts: list[float] = field(default_factory=list)  # when it was restarted (monotonic seconds)
    env: dict[str, str] = field(default_factory=dict)  # for this process only


# A child that dies is started again after a growing pause (1, 2, 4 … 30 s); one that dies this many times within
# RESTART_WINDOW seconds is given up on, and the product stops with a message naming it.
MAX_RESTARTS = 5
RESTART_WINDOW = 300.0


class PortInUse(RuntimeError):
    pass


def port_holder(port: int) -> str | None:
    """Who listens on `port` on this machine ("pid 1234: python -m rasa_sdk …"), from /proc; None if nobody or
    not visible to us."""
    inodes = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if path.exists():
            for line in path.read_text().splitlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                    return f"pid {proc.name}: {cmd[:120]}"
        except OSError:
            continue
    return "另一个进程"


def check_ports_free(svcs: list[Service]) -> None:
    """A port already in use is reported in Chinese with what holds it, before anything is started."""
    for s in svcs:
        if s.port is None:
            continue
        holder = port_holder(s.port)
        if holder:
            raise PortInUse(
                f"端口 {s.port}（{s.name}）已被占用：{holder}。请先停止它（例如 kill 该进程），或换一个端口后再启动。"
            )


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
    decline_grounds()  # the clerk's file of 不予受理 grounds is checked at start, not at the first refusal
    with session_scope(engine) as s:
        return [(u, p, r) for u, p, r, *_ in seed_demo_staff(s)]


def endpoints_file(settings: Settings, var: Path, action_secret: str) -> Path:
    """endpoints.yml with the action server of this run: its URL (ports are settings, the file is a default) and
    the secret Rasa sends it as `token` (the action server answers nobody else). Readable by the owner only."""
    data = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    data["action_endpoint"] = {
        "url": f"http://{_local(settings.internal_host)}:{settings.action_port}/webhook",
        "token": action_secret,
    }
    data["tracker_store"] = tracker_store(settings)
    if settings.rasa_workers > 1:
        data["lock_store"] = _redis(redis_url(settings))  # one conversation handled by one worker at a time
    path = var / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# Conversations in progress kept in Redis (several workers): one idle this long starts over (tickets are ours).
TRACKER_DAYS = 7


def tracker_store(settings: Settings) -> dict:
    """Where Rasa keeps conversations, so that a restart of Rasa continues those in progress.
    One worker: Rasa's SQL tracker store, on the project's PostgreSQL database when DATABASE_URL is one, else a
    SQLite file beside ours. Several workers: the Redis they share for their locks (measured faster than SQL with
    two workers: `python -m bench.load`), each conversation expiring TRACKER_DAYS after its last turn."""
    if settings.rasa_workers > 1:
        return {**_redis(redis_url(settings)), "record_exp": TRACKER_DAYS * 86400}
    url = make_url(settings.database_url)
    if url.get_backend_name() == "postgresql":
        return {
            "type": "SQL",
            "dialect": "postgresql",
            "url": url.host or "localhost",  # Rasa passes `url` as the host (a `host` key makes it fail to start)
            "port": url.port or 5432,
            "db": url.database,
            "username": url.username,
            "password": url.password,
        }
    return {"type": "SQL", "dialect": "sqlite", "db": str(settings.var_dir / "rasa-tracker.db")}


def redis_url(settings: Settings) -> str:
    """The Redis the Rasa workers share: REDIS_URL, or the one make run starts on REDIS_PORT."""
    return settings.redis_url or f"redis://127.0.0.1:{settings.redis_port}/0"


def _redis(url: str) -> dict:
    """A Rasa store on Redis (its lock store, its tracker store), from a redis:// URL."""
    u = make_url(url)
    conf = {"type": "redis", "url": u.host or "127.0.0.1", "port": u.port or 6379, "db": int(u.database or 0)}
    if u.password:
        conf["password"] = u.password
    return conf


def _local(host: str) -> str:
    """The address to reach a service listening on `host` from this machine."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


ONE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}


def services(settings: Settings, venv: Path, model: Path, rasa_token: str, action_secret: str) -> list[Service]:
    """The processes of the product. Rasa and the action server listen on INTERNAL_HOST only (loopback by
    default); Rasa's HTTP API wants `rasa_token`, the action server `action_secret` (both made per run)."""
    py = sys.executable
    var = settings.var_dir
    endpoints = str(endpoints_file(settings, var, action_secret))
    svc = [
        Service(
            "actions",
            [py, "-m", "handlers.action_server"],
            f"http://{_local(settings.internal_host)}:{settings.action_port}/health",
            port=settings.action_port,
        ),
    ]
    if settings.rasa_workers > 1 and not settings.redis_url:
        svc.append(redis_service(settings))
    for i, url in enumerate(settings.rasa_urls):
        port = url.rsplit(":", 1)[-1]
        svc.append(
            Service(
                "rasa" if i == 0 else f"rasa-{i + 1}",
                [
                    str(venv / "bin" / "rasa"),
                    "run",
                    "--enable-api",
                    "--interface",
                    settings.internal_host,
                    f"--auth-token={rasa_token}",  # one argument: a token may start with "-"
                    "--model",
                    str(model),
                    "--endpoints",
                    endpoints,
                    "--credentials",
                    str(ROOT / "credentials.yml"),
                    "--port",
                    port,
                ],
                f"{url}/status?token={rasa_token}",
                port=int(port),
                # Rasa's own warnings quote the citizen's words unmasked (a message starting with "/"): errors only
                # one TensorFlow thread: DIET's matrices are tiny, and threads of several workers only fight
                env={"LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore", **ONE_THREAD},
            )
        )
    svc += [
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
            port=settings.web_port,
            env={"WARM_MODELS": "1"},  # models loaded at start, not on the first operator suggestion
        ),
    ]
    if settings.telegram_token:
        svc.append(Service("telegram", [py, "-m", "handlers.telegram"], None))
    return svc


class RedisMissing(RuntimeError):
    pass


def redis_service(settings: Settings) -> Service:
    """A private Redis for the Rasa workers' locks and conversations: loopback only."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise RedisMissing(
            f"RASA_WORKERS={settings.rasa_workers} 需要 Redis 作为 Rasa 的锁存储：请安装 redis-server"
            "（Debian: apt-get install redis-server），或用 REDIS_URL 指向已有的 Redis。"
        )
    # its data (the conversations in progress) kept in the var folder: a restart of Redis loses none
    data = settings.var_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    argv = [exe, "--bind", "127.0.0.1", "--port", str(settings.redis_port), "--dir", str(data)]
    argv += ["--appendonly", "yes", "--save", "", "--protected-mode", "yes"]
    return Service("redis", argv, None, port=settings.redis_port)


def start(svc: Service, log_dir: Path, env: dict[str, str]) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{svc.name}.log", "ab") as log:  # the child keeps its own copy of the descriptor
        svc.process = subprocess.Popen(
            svc.argv, cwd=ROOT, env={**env, **svc.env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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


def warm_rasa(urls: list[str], token: str) -> None:
    """One parse per Rasa worker before the first citizen: its first message otherwise waits about half a second
    for TensorFlow to build its graph. Nothing is stored (the parse API keeps no conversation)."""
    for url in urls:
        try:
            httpx.post(f"{url}/model/parse", params={"token": token}, json={"text": "包工头拖欠工资"}, timeout=60)
        except httpx.HTTPError as exc:  # a cold first message is slow, not wrong
            log.warning("Rasa warm-up at %s failed: %s", url, exc)


def stop(svcs: list[Service]) -> None:
    """Stops each child's whole process group, the leader dead or alive (a worker it forked must not be left
    holding the port): SIGTERM, then SIGKILL after 15 s. A second Ctrl-C meanwhile does not cut this short (it
    would leave the children running, each in its own group)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop_groups(svcs)


def stop_groups(svcs: list[Service]) -> None:
    """SIGTERM to each child's process group, SIGKILL to what is left after 15 s."""
    for s in svcs:
        if s.process:
            _signal_group(s.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for s in svcs:
        if s.process:
            try:
                s.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(s.process.pid, signal.SIGKILL)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # each child leads its own group (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


class GaveUp(RuntimeError):
    pass


def supervise(svcs: list[Service], log_dir: Path, env: dict[str, str]) -> None:
    """Runs until Ctrl-C. A child that dies is logged and started again after a growing pause; one that keeps
    dying stops the product (GaveUp)."""
    while True:
        time.sleep(1)
        for s in svcs:
            code = s.process.poll() if s.process else 0
            if code is None:
                continue
            now = time.monotonic()
            s.restarts = [t for t in s.restarts if now - t < RESTART_WINDOW]
            if len(s.restarts) >= MAX_RESTARTS:
                raise GaveUp(
                    f"{s.name} 在 {RESTART_WINDOW:.0f} 秒内退出了 {MAX_RESTARTS} 次，"
                    f"已停止全部服务（日志在 {log_dir}）。"
                )
            pause = min(30.0, 2.0 ** len(s.restarts))
            log.warning("%s exited with code %s; restarting in %.0f s", s.name, code, pause)
            print(f"{s.name} 意外退出（代码 {code}），{pause:.0f} 秒后重启（日志在 {log_dir}）。", file=sys.stderr)
            stop_groups([s])  # what is left of its process group (a worker it started) goes with it
            time.sleep(pause)
            s.restarts.append(time.monotonic())
            start(s, log_dir, env)


def main() -> None:
    # the database, uploads, logs and the endpoints file hold personal data: readable by their owner only
    os.umask(0o077)
    setup_logging()
    settings = get_settings()
    t0 = time.monotonic()
    print("准备中：Rasa 环境、分类模型、数据库 ...")
    venv = rasa_venv()
    created = prepare(settings)
    model = rasa_model()
    rasa_token = settings.rasa_token or secrets.token_hex(24)  # hex: never starts with "-"
    action_secret = os.environ.get("ACTION_SECRET") or secrets.token_hex(24)
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        "RASA_TOKEN": rasa_token,
        "ACTION_SECRET": action_secret,
    }
    svcs: list[Service] = []
    log_dir = settings.var_dir / "logs"
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        svcs = services(settings, venv, model, rasa_token, action_secret)
        check_ports_free(svcs)
        for s in svcs:
            start(s, log_dir, env)
        wait_healthy(svcs, timeout=float(os.environ.get("START_TIMEOUT", "300")))
        warm_rasa(settings.rasa_urls, rasa_token)
        base = settings.public_url
        print(f"\n信访受理助手已启动（{time.monotonic() - t0:.0f} 秒）：")
        print(f"  群众留言（网页聊天）  {base}/")
        print(f"  承办部门              {base}/department")
        print(f"  话务员（电话登记）    {base}/operator")
        print(f"  督办统计              {base}/supervisor")
        print(f"  Rasa 服务器           {'、'.join(settings.rasa_urls)}")
        print(
            "  Telegram 机器人       "
            + ("已启动" if settings.telegram_token else "未启动（设置 TELEGRAM_BOT_TOKEN 后启用）")
        )
        if created:
            print(f"  演示账号已生成，密码见 {demo_staff_file()}")
        print("按 Ctrl-C 停止全部服务。", flush=True)
        supervise(svcs, log_dir, env)
    except KeyboardInterrupt:
        print("\n正在停止 ...")
    except (PortInUse, GaveUp, RedisMissing) as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(1)
    finally:
        stop(svcs)


if __name__ == "__main__":
    main()
