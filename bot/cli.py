"""The `petition` command. Subcommands register themselves in `build_parser` (one function each).

    petition classify [--today YYYY-MM-DD] < complaints.jsonl > results.jsonl
    petition train        the category, matter and complaint-gate models into $MODEL_DIR (CV figures printed)
    petition retrain      operator-confirmed re-routes folded into the matter model (held-out figures first)
    petition migrate      the database schema up to date (Alembic; `make run` does it at every start)

`classify` reads JSON lines {"id": ..., "text": ...} and writes one JSON line per input line, in order:
{"id", "category", "confidence", "top": [{"category", "p"} x3], "needs_review", "facts", "department":
{"code", "name", "level"}, "flags"}; a line that cannot be analysed gives {"id", "error"} and the run goes on.
Models are loaded once per process (bot.intake.analyse, classifier.model caches them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select

from bot import auth, history, intake, retention, training
from bot.db import engine_for, init_db, session_scope
from bot.jurisdiction import load_jurisdiction
from bot.matters import load_catalogue
from bot.models import Open311Key, StaffUser
from bot.settings import ROOT, get_settings
from bot.vocabulary import STAFF_ROLES
from classifier import train
from classifier.model import MODEL_FILE_NAME, CategoryModel, clear_model_cache
from classifier.normalise import is_blank_or_noise

ROUTING_SET = ROOT / "tests" / "data" / "routing"


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def classify_line(line: str, analyse: Callable, today: date | None) -> dict:
    """The output record for one input line (never raises)."""
    try:
        item = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        return {"id": None, "error": f"invalid JSON: {exc}"[:300]}
    if not isinstance(item, dict):
        return {"id": None, "error": 'each line must be a JSON object {"id": ..., "text": ...}'}
    ident = item.get("id")
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": ident, "error": 'missing "text" (a string)' if text is None else '"text" must be a string'}
    if is_blank_or_noise(text):
        return {"id": ident, "error": "text is empty or has only emoji/punctuation (内容为空)"}
    try:
        result = analyse(text, today)
    except Exception as exc:
        return {"id": ident, "error": f"analysis failed: {type(exc).__name__}: {exc}"[:500]}
    return {"id": ident, **result}


def classification(text: str, today: date | None) -> dict:
    """The JSON record of one complaint: intake's analysis and route (nothing stored)."""
    draft = intake.analyse(text, today)
    return intake.as_json(draft, intake.route_of(draft))


def cmd_classify(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    for raw in stdin:
        if not raw.strip():
            continue  # blank lines (e.g. a trailing newline) carry nothing to answer
        try:
            line = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            record = {"id": None, "error": "line is not valid UTF-8"}
        else:
            record = classify_line(line, classification, args.today)
        try:
            out = json.dumps(record, ensure_ascii=False, default=_json_default)
        except (TypeError, ValueError) as exc:
            out = json.dumps(
                {
                    "id": record.get("id") if isinstance(record.get("id"), (str, int, float)) else None,
                    "error": f"result not serialisable: {exc}",
                },
                ensure_ascii=False,
            )
        stdout.write(out + "\n")
    stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="petition", description="Petition intake assistant")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "classify",
        help='classify JSON lines {"id", "text"} from stdin',
        description='Read JSON lines {"id": ..., "text": ...} on stdin; write one JSON result '
        "line per input line (category, confidence, top 3, needs_review, facts, "
        'department, flags), or {"id", "error"} for a bad line.',
    )
    p.add_argument(
        "--today",
        type=_date,
        default=None,
        help="date that relative times (昨天, 上个月) are resolved against; default: today",
    )
    p.set_defaults(handler=cmd_classify)

    p = sub.add_parser("train", help="train the category, matter, complaint-gate and urgency models into $MODEL_DIR")
    p.set_defaults(handler=cmd_train)

    p = sub.add_parser(
        "retrain",
        help="fold operator-confirmed re-routes into the matter model; switch only if the held-out set agrees",
    )
    p.add_argument("--heldout", type=Path, default=ROUTING_SET, help="routing set (JSON lines files in a folder)")
    p.add_argument("--dry-run", action="store_true", help="show the figures, keep the model in use")
    p.set_defaults(handler=cmd_retrain)

    p = sub.add_parser("migrate", help="bring the database ($DATABASE_URL) up to the current schema")
    p.set_defaults(handler=cmd_migrate)

    p = sub.add_parser(
        "purge",
        help="remove personal data from tickets closed more than RETENTION_YEARS ago (statistics are kept)",
    )
    p.add_argument("--years", type=int, default=None, help="the retention period (default: $RETENTION_YEARS, 3)")
    p.add_argument("--dry-run", action="store_true", help="only count what would be removed")
    p.set_defaults(handler=cmd_purge)

    p = sub.add_parser("staff", help="staff accounts: create, disable, enable, reset, passwd, list")
    p.add_argument("action", choices=("create", "disable", "enable", "reset", "passwd", "list"))
    p.add_argument("username", nargs="?", help="the account (all but list)")
    p.add_argument("--role", choices=[r.value for r in STAFF_ROLES], help="with create")
    p.add_argument("--department", help="with create --role department: the department's code")
    p.set_defaults(handler=cmd_staff)

    p = sub.add_parser("open311-key", help="API keys of systems filing through Open311: create, revoke, list")
    p.add_argument("action", choices=("create", "revoke", "list"))
    p.add_argument("name", nargs="?", help="the system's name (create, revoke)")
    p.set_defaults(handler=cmd_open311_key)
    return parser


def _database():
    """The engine on $DATABASE_URL, its schema brought up to date first (the account commands may run first)."""
    engine = engine_for(get_settings().database_url)
    init_db(engine, load_jurisdiction())
    return engine


def cmd_open311_key(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    engine = _database()
    try:
        with session_scope(engine) as s:
            if args.action == "list":
                for k in s.scalars(select(Open311Key).order_by(Open311Key.name)):
                    stdout.write(f"{k.name}\t{'已吊销' if k.revoked else '有效'}\n")
                return 0
            if not args.name:
                stdout.write("请给出名称，例如：petition open311-key create city-12345\n")
                return 2
            if args.action == "create":
                key = auth.create_open311_key(s, args.name)
                stdout.write(f"{args.name} 的 api_key：{key}（只显示这一次）\n")
            else:
                auth.revoke_open311_key(s, args.name)
                stdout.write(f"{args.name} 的 api_key 已吊销。\n")
    except auth.AuthError as exc:
        stdout.write(f"{exc}\n")
        return 2
    return 0


def cmd_staff(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    """Accounts for the administrator. A new or reset password is made at random and shown once; `passwd` reads
    the new password from the first line of standard input (never from the command line, where `ps` shows it)."""
    engine = _database()
    if args.action != "list" and not args.username:
        stdout.write("请给出用户名，例如：petition staff disable county.hrss\n")
        return 2
    try:
        with session_scope(engine) as s:
            if args.action == "list":
                for u in s.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.username)):
                    state = "已停用" if u.disabled else "正常"
                    stdout.write(f"{u.username}\t{u.role}\t{u.department_code or '-'}\t{state}\n")
                return 0
            if args.action == "create":
                if not args.role:
                    stdout.write("新建账号需要 --role（department / operator / supervisor）\n")
                    return 2
                password = secrets.token_urlsafe(12)
                auth.create_staff_user(s, args.username, password, args.role, args.department)
                stdout.write(f"已创建账号 {args.username}，初始密码：{password}（只显示这一次，请登录后修改）\n")
                return 0
            user = auth.staff_user(s, args.username)
            if args.action in ("disable", "enable"):
                auth.set_disabled(s, user, args.action == "disable")
                stdout.write(f"账号 {user.username} 已{'停用，登录会话已全部退出' if user.disabled else '恢复'}。\n")
            elif args.action == "reset":
                password = auth.reset_password(s, user)
                stdout.write(f"账号 {user.username} 的新密码：{password}（只显示这一次），原有登录已全部退出。\n")
            else:  # passwd
                line = stdin.readline().decode("utf-8").strip()
                auth.set_password(s, user, line)
                stdout.write(f"账号 {user.username} 的密码已修改，原有登录已全部退出。\n")
    except auth.AuthError as exc:
        stdout.write(f"{exc}\n")
        return 2
    return 0


def cmd_train(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    settings = get_settings()
    model_dir = settings.model_dir
    models = training.train_all(model_dir, settings.real_data_dir)
    with contextlib.redirect_stdout(stdout):
        train.report(models["category"], model_dir / MODEL_FILE_NAME)
        for name in ("matter", "gate", "urgent"):
            r = models[name].report
            print(
                f"{name}: {r['n_examples']} examples, {len(models[name].classes_)} classes, "
                f"cross-validated accuracy {r['cv_accuracy']}, macro-F1 {r['cv_macro_f1']}"
            )
    return 0


def cmd_retrain(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    settings = get_settings()
    j, catalogue = load_jurisdiction(), load_catalogue()
    current_path = settings.model_dir / training.MATTER_MODEL
    current = intake.matter_model()
    with session_scope(engine_for(settings.database_url)) as s:
        learned = history.confirmed_matter_examples(s, catalogue, j, current)
    if not learned:
        stdout.write("没有操作员确认过的改派，模型不变。\n")
        return 0
    texts, labels = training.matter_examples(catalogue)
    # a confirmed re-route is a real ticket the model got wrong: it counts as much as three written examples
    candidate = CategoryModel(C=current.C, cv=5).fit(
        texts + [t for t, _ in learned] * 3, labels + [m for _, m in learned] * 3
    )
    rows = [json.loads(line) for path in sorted(args.heldout.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]  # fmt: skip
    before, asked = history.department_accuracy(rows, current)
    after, _ = history.department_accuracy(rows, candidate)
    stdout.write(
        f"已确认的改派：{len(learned)} 条\n留出集部门准确率（{asked} 条本县投诉）：之前 {before / max(asked, 1):.3f}，"
        f"之后 {after / max(asked, 1):.3f}\n"
    )
    if args.dry_run or after < before:
        stdout.write("模型不变。\n" if args.dry_run else "新模型不如现在的好，模型不变。\n")
        return 0
    candidate.save(current_path)
    clear_model_cache()
    stdout.write(f"已换用新模型：{current_path}\n")
    return 0


def cmd_purge(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    settings = get_settings()
    years = settings.retention_years if args.years is None else args.years
    if years < 1:
        stdout.write("保存期限至少 1 年。\n")
        return 2
    with session_scope(engine_for(settings.database_url)) as s:
        done = retention.purge(s, years, dry_run=args.dry_run)
    verb = "将删除" if args.dry_run else "已删除"
    stdout.write(
        f"办结超过 {years} 年的工单：{done.tickets} 件{verb}个人信息（统计数据保留）；"
        f"消息 {done.messages} 条、附件 {done.attachments} 个{verb}。\n"
    )
    return 0


def cmd_migrate(args: argparse.Namespace, stdin: IO[bytes], stdout: IO[str]) -> int:
    settings = get_settings()
    init_db(engine_for(settings.database_url), load_jurisdiction())
    stdout.write(f"数据库已是最新结构：{settings.database_url.split('@')[-1]}\n")
    return 0


def main(argv: list[str] | None = None, stdin: IO | None = None, stdout: IO[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if stdin is None:
        stdin = sys.stdin.buffer
    if stdout is None:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8")  # Chinese output whatever the locale says
        stdout = sys.stdout
    try:
        # Libraries that print on import (jionlp prints a banner) must not corrupt the JSON lines: anything
        # written to sys.stdout while a command runs goes to stderr; commands write to `stdout` explicitly.
        with contextlib.redirect_stdout(sys.stderr):
            return args.handler(args, stdin, stdout)
    except BrokenPipeError:  # `petition classify < x | head`: the reader left, nothing more to do
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
