"""Conversation benchmark: a scripted citizen plays held-out scenarios (tests/data/dialogues/, written by another hand
than the bot and its training data) through the web chat of the real stack, and the tickets in the database are
compared with what each scenario expects.

    python -m bench.dialogue [--every N] [--url http://127.0.0.1:8000 --db sqlite:///...]

Without --url the stack is started as `make run` does (bench/stack.py). Printed: success rate, turns to the ticket,
facts asked twice, answers not understood, reply latency p50 / p95, the failing scenarios by kind, and a short
transcript of one failure per kind.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "data" / "dialogues"
MAX_TURNS = 16
# the bot's responses (domain.yml) that ask something, by the kind of answer a scenario gives
QUESTIONS = {
    "utter_confirm_category": "confirm",
    "utter_offer_categories": "category",
    "utter_ask_details": "details",
    "utter_ask_township": "place",
    "utter_ask_village": "village",
    "utter_ask_incident_time": "time",
    "utter_ask_phone": "phone",
    "utter_phone_why": "phone",
    "utter_ask_citizen_name": "name",
    "utter_recap": "recap",
    "utter_ask_revision": "recap",
    "utter_offer_second": "second",
    # after 转人工 with no phone known, the bot asks for one so that the operator can call back
    "utter_handoff_in_chat": "phone",
    # and then, with a phone, where (once; 不清楚 is accepted)
    "utter_handoff_ask_place": "place",
}
NOT_UNDERSTOOD = {
    *("utter_invalid_place", "utter_invalid_village", "utter_invalid_incident_time", "utter_no_phone"),
    *("utter_invalid_phone", "utter_invalid_name", "utter_default"),
}
# what a citizen says when the scenario has no answer of that kind: they do not know or will not say
NO_ANSWER = {
    **{"confirm": "是的", "category": "其他", "details": "就是刚才说的那个事", "place": "不知道"},
    **{"village": "不清楚", "time": "记不清了", "phone": "不留", "name": "匿名", "recap": "确认"},
    "second": "不用了",  # a scenario that does not say: the offer declined, as for the other questions
}
TICKET_NUMBER = re.compile(r"XP\d{8}-\d{5,}")


def response_patterns() -> list[tuple[str, re.Pattern]]:
    """Each response of domain.yml as a pattern of its text ({values} match anything)."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    out = []
    for name, variants in responses.items():
        for v in variants:
            parts = re.split(r"\{[a-z_]+\}", v.get("text", ""))
            out.append((name, re.compile("^" + "(.*?)".join(re.escape(p) for p in parts) + "$", re.S)))
    return out


@dataclass
class Played:
    scenario: dict
    transcript: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    asked_twice: int = 0
    not_understood: int = 0
    turns_to_ticket: int | None = None
    errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Citizen:
    """Plays one scenario through POST /api/chat and reads the bot's replies as response names."""

    def __init__(self, web: str, patterns: list[tuple[str, re.Pattern]]):
        self.web = web
        self.patterns = patterns
        self.client = httpx.Client(timeout=60)

    def names(self, text: str) -> list[str]:
        return [name for name, p in self.patterns if p.match(text)] or ["?"]

    def say(self, sender: str, text: str, played: Played) -> list[tuple[str, str]]:
        played.transcript.append(f"citizen: {text}")
        t0 = time.perf_counter()
        try:
            r = self.client.post(f"{self.web}/api/chat", json={"sender_id": sender, "text": text})
            r.raise_for_status()
        except httpx.HTTPError as exc:
            played.errors.append(f"{type(exc).__name__}: {exc}")
            return []
        played.latencies.append((time.perf_counter() - t0) * 1000)
        replies = []
        for reply in r.json()["replies"]:
            played.transcript.append(f"bot: {reply['text']}")
            replies.append((self.names(reply["text"])[0], reply["text"]))
        return replies

    def play(self, scenario: dict, sender: str) -> Played:
        played = Played(scenario)
        episodes = [(scenario["opening"], scenario.get("answers") or {})]
        episodes += [(t["opening"], t.get("answers") or {}) for t in scenario.get("then") or []]
        interjections = list(scenario.get("interject") or [])
        turns = 0
        for opening, answers in episodes:
            replies = self.say(sender, opening, played)
            turns += 1
            start = [i for i in interjections if i.get("before") == "start"]
            for i in start:
                interjections.remove(i)
                replies = self.say(sender, i["say"], played)
                turns += 1
            answered: Counter[str] = Counter()
            for _ in range(MAX_TURNS):
                names = [n for n, _ in replies]
                played.not_understood += sum(n in NOT_UNDERSTOOD for n in names)
                if played.turns_to_ticket is None and any(TICKET_NUMBER.search(t) for _, t in replies):
                    played.turns_to_ticket = turns
                question = next((QUESTIONS[n] for n in reversed(names) if n in QUESTIONS), None)
                if question is None:
                    break
                pending = next((i for i in interjections if i.get("before") == question), None)
                if pending is not None:
                    interjections.remove(pending)
                    replies = self.say(sender, pending["say"], played)
                    turns += 1
                    continue
                if answered[question] and not any(n in NOT_UNDERSTOOD or n == "utter_phone_why" for n in names):
                    played.asked_twice += 1
                answered[question] += 1
                said = answers.get(question) or NO_ANSWER[question]
                if question == "recap" and answered[question] > 1:
                    said = NO_ANSWER["recap"]  # the change was said at the first recap: now it is confirmed
                replies = self.say(sender, str(said), played)
                turns += 1
        return played


def check(played: Played, db: str, sender: str) -> None:
    """Compares the sender's tickets with the scenario's `expect`; failures are written into `played`."""
    from bot.models import Ticket

    expect = played.scenario.get("expect") or {}
    with Session(create_engine(db)) as s:
        tickets = list(s.scalars(select(Ticket).where(Ticket.sender_id == sender).order_by(Ticket.id)))
    wanted = expect.get("tickets", 1 if expect.get("ticket", True) else 0)
    if len(tickets) != wanted:
        played.failures.append(f"tickets: {len(tickets)}, expected {wanted}")
        return
    if not tickets:
        return
    first = tickets[0]
    if expect.get("category") and not any(t.category == expect["category"] for t in tickets):
        played.failures.append(f"category {first.category}, expected {expect['category']}")
    departments = set(expect.get("departments") or ())
    if departments and not all(t.department_code in departments for t in tickets):
        played.failures.append(
            f"department {[t.department_code for t in tickets]}, expected one of {sorted(departments)}"
        )
    if "urgent" in expect and ("urgent" in (first.flags or [])) != bool(expect["urgent"]):
        played.failures.append(f"urgent {'urgent' in (first.flags or [])}, expected {expect['urgent']}")
    if "out_of_area" in expect and (first.out_of_area is not None) != bool(expect["out_of_area"]):
        played.failures.append(f"out_of_area {first.out_of_area}, expected {expect['out_of_area']}")
    if "phone" in expect and _digits(first.phone) != _digits(expect["phone"]):
        played.failures.append(f"phone {first.phone}, expected {expect['phone']}")
    for key in ("township", "village"):
        if key in expect and getattr(first, key) != expect[key]:
            played.failures.append(f"{key} {getattr(first, key)}, expected {expect[key]}")


def _digits(phone: str | None) -> str | None:
    return re.sub(r"\D", "", phone) if phone else None


def load_scenarios(every: int = 1, folder: Path = SCENARIOS) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[::every]


def run(web: str, db: str, scenarios: list[dict]) -> list[Played]:
    citizen = Citizen(web, response_patterns())
    out = []
    for scenario in scenarios:
        sender = "web:bench" + re.sub(r"[^A-Za-z0-9_-]", "_", scenario["id"])
        played = citizen.play(scenario, sender)
        if not played.errors:
            check(played, db, sender)
        out.append(played)
    return out


def succeeded(p: Played) -> bool:
    return not p.errors and not p.failures


def report(results: list[Played]) -> str:
    n = len(results)
    ok = sum(succeeded(p) for p in results)
    latencies = [ms for p in results for ms in p.latencies]
    turns = [p.turns_to_ticket for p in results if p.turns_to_ticket]
    by_kind: dict[str, list[Played]] = defaultdict(list)
    for p in results:
        by_kind[p.scenario.get("kind", "?")].append(p)
    lines = [
        f"conversations: {n}, succeeded {ok} ({ok / n:.3f})",
        f"turns to the ticket: median {statistics.median(turns) if turns else '–'}",
        f"facts asked twice: {sum(p.asked_twice for p in results)} times in "
        f"{sum(p.asked_twice > 0 for p in results)} conversations",
        f"answers not understood: {sum(p.not_understood for p in results)}",
        f"HTTP errors: {sum(len(p.errors) for p in results)}",
        f"first reply after the start (models loaded at start, not on it): {results[0].latencies[0]:.0f} ms"
        if results and results[0].latencies
        else "first reply: –",
        f"reply latency p50 / p95: {statistics.median(latencies):.0f} / "
        f"{sorted(latencies)[int(0.95 * (len(latencies) - 1))]:.0f} ms"
        if latencies
        else "no replies",
        "",
        "by kind (succeeded / played):",
    ]
    for kind, rows in sorted(by_kind.items()):
        lines.append(f"  {kind:18s} {sum(succeeded(p) for p in rows):3d} / {len(rows)}")
    lines.append("")
    lines.append("one failing transcript per kind:")
    for kind, rows in sorted(by_kind.items()):
        failed = next((p for p in rows if not succeeded(p)), None)
        if failed:
            lines.append(f"--- {failed.scenario['id']} ({kind}): {'; '.join(failed.errors + failed.failures)}")
            lines += ["    " + line for line in failed.transcript[:14]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dialogue", description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1, help="play every N-th scenario only")
    ap.add_argument("--url", help="a running web app (default: start the stack)")
    ap.add_argument("--db", help="its DATABASE_URL (with --url)")
    ap.add_argument("--json", type=Path, help="also write every result here")
    ap.add_argument("--dir", type=Path, default=SCENARIOS, help="the scenarios (default: the held-out set)")
    args = ap.parse_args(argv)
    scenarios = load_scenarios(args.every, args.dir)
    if args.url:
        results = run(args.url, args.db, scenarios)
    else:
        from bench.stack import running_stack

        with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as stack:
            results = run(stack.web, stack.db, scenarios)
    print(report(results))
    if args.json:
        rows = [
            {"id": p.scenario["id"], "ok": succeeded(p), "failures": p.failures + p.errors, "transcript": p.transcript}
            for p in results
        ]
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
