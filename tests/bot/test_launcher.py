"""The launcher's supervision: ports checked before the start, children restarted with back-off, whole process
groups stopped (real processes, no Rasa)."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot import launcher
from bot.launcher import GaveUp, PortInUse, Service


def test_a_port_in_use_is_reported_in_chinese_with_what_holds_it():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(PortInUse, match=f"端口 {port}（web）已被占用：pid {os.getpid()}"):
            launcher.check_ports_free([Service("web", ["true"], None, port=port)])
    launcher.check_ports_free([Service("web", ["true"], None, port=port)])  # free again: no error


def test_a_child_that_dies_is_started_again_and_one_that_keeps_dying_stops_the_product(tmp_path, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(launcher.time, "sleep", lambda s: pauses.append(s))
    s = Service("actions", [sys.executable, "-c", "import sys; sys.exit(3)"], None)
    launcher.start(s, tmp_path, dict(os.environ))
    with pytest.raises(GaveUp, match="actions 在 300 秒内退出了 5 次"):
        launcher.supervise([s], tmp_path, dict(os.environ))
    assert len(s.restarts) == launcher.MAX_RESTARTS
    assert [p for p in pauses if p > 1] == [2.0, 4.0, 8.0, 16.0]  # back-off between restarts


def test_stopping_a_child_stops_its_whole_group_even_when_the_leader_is_gone(tmp_path):
    s = Service("rasa", ["bash", "-c", "sleep 60 & echo started; exit 0"], None)
    launcher.start(s, tmp_path, dict(os.environ))
    s.process.wait(10)
    time.sleep(0.2)
    os.killpg(s.process.pid, 0)  # the orphaned worker is still there, in the child's group
    launcher.stop_groups([s])
    assert not group_alive(s.process.pid)


def group_alive(pgid: int) -> bool:
    """Whether any live (not zombie) process is left in the group, waiting up to 5 s for it to end."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        alive = False
        for proc in os.listdir("/proc"):
            if proc.isdigit():
                try:
                    stat = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                alive |= int(stat[2]) == pgid and stat[0] != "Z"
        if not alive:
            return False
        time.sleep(0.1)
    return True


def test_rasa_keeps_its_conversations_in_the_projects_database_or_beside_it(tmp_path):
    from bot.settings import load_settings

    sqlite = load_settings({"PETITION_VAR_DIR": str(tmp_path)})
    assert launcher.tracker_store(sqlite) == {
        "type": "SQL",
        "dialect": "sqlite",
        "db": str(tmp_path / "rasa-tracker.db"),
    }
    pg = load_settings(
        {"PETITION_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://u:pw@db:5433/petition"}
    )
    store = launcher.tracker_store(pg)
    # Rasa builds SQLTrackerStore(host=<url>, **the other keys): the host must be given as `url`, and a `host`
    # key made Rasa fail at start ("got multiple values for keyword argument 'host'")
    assert "host" not in store
    assert (store["dialect"], store["url"], store["port"], store["db"], store["username"]) == (
        "postgresql",
        "db",
        5433,
        "petition",
        "u",
    )
    written = launcher.endpoints_file(sqlite, tmp_path, "s3cret-0123456789abc")
    assert written.stat().st_mode & 0o777 == 0o600  # it holds the action server's secret


def test_several_rasa_workers_share_a_redis_lock_store_and_each_sender_keeps_to_one(tmp_path, monkeypatch):
    from bot.settings import SettingsError, load_settings

    env = {"PETITION_VAR_DIR": str(tmp_path), "RASA_URL": "http://127.0.0.1:7005", "REDIS_PORT": "7100"}
    one = load_settings(env)
    assert "lock_store" not in yaml.safe_load(launcher.endpoints_file(one, tmp_path, "s" * 24).read_text())
    three = load_settings({**env, "RASA_WORKERS": "3"})
    assert three.rasa_urls == ["http://127.0.0.1:7005", "http://127.0.0.1:7006", "http://127.0.0.1:7007"]
    written = yaml.safe_load(launcher.endpoints_file(three, tmp_path, "s" * 24).read_text())
    assert written["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 7100, "db": 0}
    assert written["tracker_store"] == {**written["lock_store"], "record_exp": launcher.TRACKER_DAYS * 86400}
    monkeypatch.setattr(launcher.shutil, "which", lambda name: f"/usr/bin/{name}")
    svcs = {s.name: s for s in launcher.services(three, tmp_path, tmp_path / "m.tar.gz", "t" * 24, "s" * 24)}
    assert {"rasa", "rasa-2", "rasa-3", "redis"} <= set(svcs)
    assert [svcs[n].port for n in ("rasa", "rasa-2", "rasa-3", "redis")] == [7005, 7006, 7007, 7100]
    assert svcs["redis"].argv[1:3] == ["--bind", "127.0.0.1"]
    assert "--appendonly" in svcs["redis"].argv and (tmp_path / "redis").is_dir()  # conversations survive it
    # a sender always reaches the same worker, and senders are spread over all of them
    senders = [f"web:c{i}" for i in range(60)]
    assert all(three.rasa_url_for(s) == three.rasa_url_for(s) for s in senders)
    assert {three.rasa_url_for(s) for s in senders} == set(three.rasa_urls)
    # an external Redis: none started, the lock store points at it
    ext = load_settings({**env, "RASA_WORKERS": "2", "REDIS_URL": "redis://:pw@10.0.0.5:6390/3"})
    names = {s.name for s in launcher.services(ext, tmp_path, tmp_path / "m.tar.gz", "t" * 24, "s" * 24)}
    assert "redis" not in names
    assert yaml.safe_load(launcher.endpoints_file(ext, tmp_path, "s" * 24).read_text())["lock_store"] == {
        "type": "redis",
        "url": "10.0.0.5",
        "port": 6390,
        "db": 3,
        "password": "pw",
    }
    with pytest.raises(SettingsError, match="RASA_WORKERS"):
        load_settings({**env, "RASA_WORKERS": "0"})
    monkeypatch.setattr(launcher.shutil, "which", lambda name: None)
    with pytest.raises(launcher.RedisMissing, match="redis-server"):
        launcher.services(three, tmp_path, tmp_path / "m.tar.gz", "t" * 24, "s" * 24)


def test_a_token_that_starts_with_a_dash_reaches_rasa_as_one_argument(tmp_path):
    """secrets.token_urlsafe may start with "-": as a separate argument Rasa took it for an option and did not start."""
    from bot.settings import load_settings

    settings = load_settings({"PETITION_VAR_DIR": str(tmp_path)})
    rasa = next(
        s for s in launcher.services(settings, tmp_path, tmp_path / "m.tar.gz", "-abc123", "s" * 24) if s.name == "rasa"
    )
    assert "--auth-token=-abc123" in rasa.argv and "-abc123" not in rasa.argv


def test_each_rasa_worker_is_warmed_with_a_parse_before_the_first_citizen(monkeypatch):
    calls = []
    monkeypatch.setattr(launcher.httpx, "post", lambda url, **kw: calls.append((url, kw["params"], kw["json"])))
    launcher.warm_rasa(["http://127.0.0.1:7005", "http://127.0.0.1:7006"], "tok")
    assert [(u, p) for u, p, _ in calls] == [
        ("http://127.0.0.1:7005/model/parse", {"token": "tok"}),
        ("http://127.0.0.1:7006/model/parse", {"token": "tok"}),
    ]

    def down(url, **kw):
        raise launcher.httpx.ConnectError("refused")

    monkeypatch.setattr(launcher.httpx, "post", down)
    launcher.warm_rasa(["http://127.0.0.1:7005"], "tok")  # a failed warm-up does not stop the start
