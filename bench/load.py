"""Load bench: simulated citizens talk with the whole stack at once, through the web chat or the Telegram
emulator, for a fixed time.

    python -m bench.load [--citizens 100] [--seconds 60] [--pause 3-8] [--ramp 30] [--workers 1,2] [--telegram]
                         [--db postgresql+psycopg://…]

Each citizen plays short conversations (an opening complaint, then the answers to the bot's questions until the
ticket number comes), one after another with a new sender id each time, waiting `--pause` seconds (a random pause
in that range) between its messages; `--pause 0` is the capacity run. For each number of Rasa workers given, the
stack is started afresh (several workers share a Redis lock store and the tracker store, as Rasa documents) and
both runs are printed side by side: turns per second, reply latency p50/p95/p99, HTTP errors, tickets expected
(conversations that received a ticket number) against tickets in the database, each process's memory at the
start and the end and its CPU, and the latency after each step of the conversation.

The conversations are this file's own (written for load, not the held-out dialogue set); what is measured here is
speed and the absence of loss, not understanding.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.dialogue import NO_ANSWER, QUESTIONS, TICKET_NUMBER, response_patterns
from bench.stack import TELEGRAM_TOKEN, telegram_emulator

# Openings with the answers a citizen gives, by question kind (see bench.dialogue.QUESTIONS).
CONVERSATIONS = [
    (
        "戛洒镇南恩村的工地包工头拖欠我们三个月工资，一共三万六千元，一直不给",
        {"time": "上个月", "phone": "13812345678", "name": "王师傅", "confirm": "是的"},
    ),
    (
        "我家承包地被村里占了修路，一分钱补偿都没有",
        {"place": "漠沙镇", "village": "曼线村", "time": "今年三月", "phone": "13987654321", "name": "李大妈"},
    ),
    (
        "楼下烧烤店天天半夜还在营业，油烟大，吵得人睡不着",
        {"place": "桂山街道", "village": "不清楚", "time": "一个星期了", "phone": "15912345678", "name": "匿名"},
    ),
    (
        "腰街镇中心小学乱收补课费，每个学生八百元",
        {"time": "这学期", "phone": "13700001111", "name": "张女士", "village": "不知道"},
    ),
]
MAX_TURNS = 12


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=dict)  # "opening", or the question answered
    errors: Counter[str] = field(default_factory=Counter)
    conversations: int = 0
    tickets_seen: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)
    peak_mb: dict[str, float] = field(default_factory=dict)  # each process kind's largest memory, sampled every 5 s


def _pause(spec: tuple[float, float], rnd: random.Random) -> float:
    return rnd.uniform(*spec) if spec[1] > 0 else 0.0


class WebChat:
    """A citizen's messages through POST /api/chat: the replies come in the answer."""

    def __init__(self, web: str, client: httpx.AsyncClient):
        self.web, self.client = web, client

    def sender(self, n: int, k: int) -> str:
        return f"web:load{n:04d}x{k:04d}"

    async def say(self, sender: str, text: str) -> list[str]:
        r = await self.client.post(f"{self.web}/api/chat", json={"sender_id": sender, "text": text})
        r.raise_for_status()
        return [m["text"] for m in r.json()["replies"]]


class TelegramEmulator:
    """A citizen's messages through the Telegram Bot API emulator (tests/e2e/emulator.js): sent with its client
    API, the bot's messages polled for until they stop coming. Latency counts to the first of them."""

    POLL = 0.05
    SETTLE = 0.4  # a turn's messages are one answer when no other follows within this

    def __init__(self, url: str, client: httpx.AsyncClient):
        self.url, self.client = url, client
        self.first_at = 0.0

    def sender(self, n: int, k: int) -> str:
        return f"tg:{7_000_000 + n * 1000 + k}"

    async def _fetch(self, chat: int) -> list[str]:
        r = await self.client.post(f"{self.url}/getUpdates", json={"token": TELEGRAM_TOKEN, "chatId": chat})
        r.raise_for_status()
        return [u["message"].get("text", "") for u in r.json()["result"]]

    async def say(self, sender: str, text: str) -> list[str]:
        chat = int(sender.split(":")[1])
        who = {"id": chat, "is_bot": False, "first_name": "群众"}
        msg = {"botToken": TELEGRAM_TOKEN, "from": who, "chat": {"id": chat, "type": "private", "first_name": "群众"}}
        r = await self.client.post(f"{self.url}/sendMessage", json={**msg, "date": int(time.time()), "text": text})
        r.raise_for_status()
        got: list[str] = []
        deadline = time.monotonic() + 60
        while not got:
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("no answer from the bot in 60 s")
            await asyncio.sleep(self.POLL)
            got = await self._fetch(chat)
        self.first_at = time.perf_counter()
        quiet = time.monotonic()
        while time.monotonic() - quiet < self.SETTLE:
            await asyncio.sleep(self.POLL)
            more = await self._fetch(chat)
            if more:
                got += more
                quiet = time.monotonic()
        return got


async def citizen(
    n: int, channel, until: float, pause: tuple[float, float], patterns, tally: Tally, arrive: float
) -> None:
    rnd = random.Random(n)
    k = 0
    await asyncio.sleep(arrive)
    while time.monotonic() < until:
        opening, answers = CONVERSATIONS[(n + k) % len(CONVERSATIONS)]
        sender = channel.sender(n, k)
        k += 1
        tally.senders.add(sender)
        text: str | None = opening
        step = "opening"
        asked: Counter[str] = Counter()
        for _ in range(MAX_TURNS):
            if text is None or time.monotonic() >= until:
                break
            t0 = time.perf_counter()
            try:
                replies = await channel.say(sender, text)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                tally.errors[type(exc).__name__] += 1
                break
            answered = channel.first_at if isinstance(channel, TelegramEmulator) else time.perf_counter()
            tally.latencies.append((answered - t0) * 1000)
            tally.by_step.setdefault(step, []).append(tally.latencies[-1])
            numbers = {m.group(0) for t in replies for m in TICKET_NUMBER.finditer(t)}
            if numbers:
                tally.tickets_seen |= numbers
                tally.conversations += 1
                break
            names = [name for t in replies for name, p in patterns if p.match(t)]
            question = next((QUESTIONS[x] for x in reversed(names) if x in QUESTIONS), None)
            if question is None:
                break
            asked[question] += 1
            # asked again: the citizen gives the plain answer that always works
            text = answers.get(question) if asked[question] == 1 else None
            text = text or NO_ANSWER[question]
            step = question
            await asyncio.sleep(_pause(pause, rnd))


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(proc.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def usage(root: int) -> dict[str, tuple[float, float]]:
    """(resident memory in MB, CPU seconds used so far) by process kind (rasa, actions, web, telegram, redis)
    under the launcher `root`."""
    out: dict[str, tuple[float, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in _descendants(root):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rss = next(
                int(line.split()[1])
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmRSS:")
            )
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, StopIteration):
            continue
        kind = next((k for k, mark in KINDS if mark in cmd), None)
        if kind:
            mb, cpu = out.get(kind, (0.0, 0.0))
            out[kind] = (mb + rss / 1024, cpu + (int(fields[11]) + int(fields[12])) / tick)
    return out


KINDS = [
    ("rasa", "rasa run"),
    ("actions", "handlers.action_server"),
    ("web", "handlers.webchat"),
    ("telegram", "handlers.telegram"),
    ("redis", "redis-server"),
]


@dataclass
class Result:
    workers: int
    seconds: float
    tally: Tally
    tickets_in_db: int
    loadgen_cpu: float  # CPU seconds of this bench itself over the run (it shares the machine)
    usage_start: dict[str, tuple[float, float]]
    usage_end: dict[str, tuple[float, float]]


async def drive(
    web: str,
    citizens: int,
    seconds: float,
    pause: tuple[float, float],
    ramp: float = 0.0,
    emulator: str | None = None,
    root: int | None = None,
) -> tuple[Tally, float]:
    """Citizen i arrives at i/citizens of `ramp` seconds (they do not all open a conversation in the same second:
    an opening is the heaviest turn), then talks until `seconds` have passed since the start. Through the web chat,
    or through the Telegram emulator at `emulator`."""
    patterns = response_patterns()
    tally = Tally()
    limits = httpx.Limits(max_connections=citizens + 10, max_keepalive_connections=citizens + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        t0 = time.monotonic()
        until = t0 + seconds

        def channel():  # one per citizen: the emulator's records when the first answer came
            return TelegramEmulator(emulator, client) if emulator else WebChat(web, client)

        async def sample() -> None:  # memory over the run: the peak of each process kind
            while root is not None and time.monotonic() < until:
                for kind, (mb, _) in (await asyncio.to_thread(usage, root)).items():
                    tally.peak_mb[kind] = max(mb, tally.peak_mb.get(kind, 0.0))
                await asyncio.sleep(5)

        await asyncio.gather(
            sample(),
            *(citizen(i, channel(), until, pause, patterns, tally, ramp * i / citizens) for i in range(citizens)),
        )
        return tally, time.monotonic() - t0


def run_once(
    workers: int,
    citizens: int,
    seconds: float,
    pause: tuple[float, float],
    db: str | None,
    redis_url: str | None,
    ramp: float = 0.0,
    telegram: bool = False,
) -> Result:
    from bench.stack import running_stack

    with tempfile.TemporaryDirectory() as tmp, telegram_emulator() if telegram else nullcontext() as emulator:
        extra = {"RASA_WORKERS": str(workers)}
        if db:
            extra["DATABASE_URL"] = db
        if redis_url:
            extra["REDIS_URL"] = redis_url
        with running_stack(Path(tmp), telegram_api=emulator, extra_env=extra) as stack:
            before, t0 = usage(stack.pid), os.times()
            tally, took = asyncio.run(drive(stack.web, citizens, seconds, pause, ramp, emulator, stack.pid))
            after, t1 = usage(stack.pid), os.times()
            from bot.models import Ticket

            engine = create_engine(stack.db)
            with Session(engine) as s:
                n = s.scalar(select(func.count(Ticket.id)).where(Ticket.sender_id.in_(tally.senders))) or 0
            engine.dispose()
    return Result(workers, took, tally, n, t1.user + t1.system - t0.user - t0.system, before, after)


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[int(q * (len(values) - 1))] if values else float("nan")


def report(results: list[Result], citizens: int, pause: tuple[float, float], ramp: float = 0.0) -> str:
    head = f"{citizens} citizens, pause {pause[0]:g}–{pause[1]:g} s" if pause[1] else f"{citizens} citizens, no pause"
    head += f", arriving over {ramp:g} s, {results[0].seconds:.0f} s in all" if results else ""
    rows = [("", *[f"{r.workers} Rasa worker{'s' if r.workers > 1 else ''}" for r in results])]

    def row(label, fn):
        rows.append((label, *[fn(r) for r in results]))

    row("turns", lambda r: str(len(r.tally.latencies)))
    row("turns / s", lambda r: f"{len(r.tally.latencies) / r.seconds:.1f}")
    row("latency p50 (ms)", lambda r: f"{statistics.median(r.tally.latencies):.0f}" if r.tally.latencies else "–")
    row("latency p95 (ms)", lambda r: f"{_pct(r.tally.latencies, 0.95):.0f}")
    row("latency p99 (ms)", lambda r: f"{_pct(r.tally.latencies, 0.99):.0f}")
    row(
        "HTTP errors",
        lambda r: str(sum(r.tally.errors.values())) + (f" {dict(r.tally.errors)}" if r.tally.errors else ""),
    )
    row("tickets expected / in db", lambda r: f"{len(r.tally.tickets_seen)} / {r.tickets_in_db}")
    for kind, _ in KINDS:
        if any(kind in r.usage_end for r in results):
            row(
                f"memory {kind} (MB) start→peak→end",
                lambda r, k=kind: (
                    f"{r.usage_start.get(k, (0, 0))[0]:.0f}→{r.tally.peak_mb.get(k, 0):.0f}"
                    f"→{r.usage_end.get(k, (0, 0))[0]:.0f}"
                ),
            )
            row(
                f"CPU {kind} (cores busy)",
                lambda r, k=kind: (
                    f"{(r.usage_end.get(k, (0, 0))[1] - r.usage_start.get(k, (0, 0))[1]) / r.seconds:.2f}"
                ),
            )
    row("CPU this bench (cores busy)", lambda r: f"{r.loadgen_cpu / r.seconds:.2f}")
    if len(results) > 1 and results[0].tally.latencies:
        base = len(results[0].tally.latencies) / results[0].seconds
        row("throughput ratio", lambda r: f"{len(r.tally.latencies) / r.seconds / base:.2f}×")
    for step in sorted({k for r in results for k in r.tally.by_step}):
        row(
            f"p50 / p95 after {step} (ms)",
            lambda r, k=step: (
                f"{statistics.median(r.tally.by_step[k]):.0f} / {_pct(r.tally.by_step[k], 0.95):.0f}"
                if r.tally.by_step.get(k)
                else "–"
            ),
        )
    width = max(len(r[0]) for r in rows)
    lines = [head]
    for r in rows:
        lines.append(r[0].ljust(width) + "".join(f"  {c:>22s}" for c in r[1:]))
    return "\n".join(lines)


def _range(spec: str) -> tuple[float, float]:
    lo, _, hi = spec.partition("-")
    return float(lo), float(hi or lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--citizens", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--pause", type=_range, default=(3.0, 8.0), help="seconds between a citizen's messages: 3-8, 0")
    ap.add_argument("--telegram", action="store_true", help="through the Telegram emulator instead of the web chat")
    ap.add_argument("--ramp", type=float, default=30.0, help="seconds over which the citizens arrive")
    ap.add_argument("--workers", default="1,2", help="numbers of Rasa workers to compare, e.g. 1,2")
    ap.add_argument("--db", help="DATABASE_URL (default: a SQLite file per run)")
    ap.add_argument("--redis", default=os.environ.get("REDIS_URL"), help="Redis for several workers")
    args = ap.parse_args(argv)
    results = []
    for w in (int(x) for x in args.workers.split(",")):
        results.append(
            run_once(w, args.citizens, args.seconds, args.pause, args.db, args.redis, args.ramp, args.telegram)
        )
    print(
        ("Telegram (emulator): " if args.telegram else "web chat: ")
        + report(results, args.citizens, args.pause, args.ramp)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
