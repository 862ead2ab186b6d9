"""The real stack on free loopback ports, started by the same launcher as `make run` (Rasa with the trained model,
the action server, the web app, and the Telegram adapter when an emulator URL is given). Used by the dialogue
benchmark and the end-to-end test.

    with running_stack(tmp_dir, telegram_api=None) as stack:
        stack.web   # http://127.0.0.1:<port>
        stack.db    # the SQLite URL of this run's database
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 900  # a first run trains the classifier models and the Rasa model
TELEGRAM_TOKEN = "123456:e2e-test-token"


class StackDidNotStart(RuntimeError):
    pass


@dataclass
class Stack:
    web: str
    db: str
    var: Path
    env: dict[str, str]
    pid: int  # the launcher's: every process of the stack descends from it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def free_ports(n: int) -> int:
    """The first of n consecutive free loopback ports (several Rasa workers listen on RASA_URL's port and on)."""
    for _ in range(200):
        first = free_port()
        socks = []
        try:
            for i in range(n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", first + i))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {n} consecutive free ports")


@contextmanager
def telegram_emulator() -> Iterator[str]:
    """The Telegram Bot API emulator (tests/e2e/emulator.js, Node) on a free port; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        ["node", str(ROOT / "tests" / "e2e" / "emulator.js"), str(port)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        if proc.stdout.readline().strip() != "ready":
            raise StackDidNotStart("the Telegram emulator did not start (make tests/e2e/node_modules/.installed)")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_group(proc, signal.SIGTERM)


@contextmanager
def running_stack(
    tmp: Path, telegram_api: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    workers = int((extra_env or {}).get("RASA_WORKERS", "1"))
    rasa_port = free_ports(workers)
    web_port, action_port, redis_port = (free_port() for _ in range(3))
    env = {
        **os.environ,
        "PETITION_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": f"sqlite:///{tmp / 'stack.db'}",
        "WEB_PORT": str(web_port),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "ACTION_PORT": str(action_port),
        "REDIS_PORT": str(redis_port),  # used when RASA_WORKERS > 1
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    if telegram_api:
        env.update(TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_API_BASE_URL=telegram_api)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = launcher.stdout.readline()
        if not line and launcher.poll() is not None:
            break
        output.append(line)
        if "Ctrl-C" in line:
            break
    try:
        if not any("Ctrl-C" in line for line in output):
            logs = tmp / "var" / "logs"
            tails = "".join(
                f"{p.name}:\n{p.read_text(errors='replace')[-3000:]}"
                for p in (logs.glob("*.log") if logs.exists() else [])
            )
            raise StackDidNotStart("the stack did not start:\n" + "".join(output)[-4000:] + "\n" + tails)
        yield Stack(f"http://127.0.0.1:{web_port}", env["DATABASE_URL"], tmp / "var", env, launcher.pid)
    finally:
        stop_group(launcher, signal.SIGINT)
        try:
            launcher.wait(30)
        except subprocess.TimeoutExpired:
            stop_group(launcher, signal.SIGKILL)
