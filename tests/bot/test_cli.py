"""`petition classify`: one JSON line out per line in, bad lines answered with an error, 10,000 lines in one go."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot import cli
from bot.intake import Draft

ROOT = Path(__file__).resolve().parents[2]


def run_classify(lines: list[bytes | str], argv=("classify",)) -> tuple[int, list[dict]]:
    data = b"".join((x if isinstance(x, bytes) else x.encode("utf-8")) + b"\n" for x in lines)
    out = io.StringIO()
    code = cli.main(list(argv), stdin=io.BytesIO(data), stdout=out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
def fake_analyse(monkeypatch, make_draft):
    """bot.intake.analyse replaced by a hand-made draft; records (text, today) of every call."""
    calls = []

    def analyse(text, today=None):
        calls.append((text, today))
        if "BOOM" in text:
            raise RuntimeError("extractor exploded")
        return make_draft("labour", township="gasa", flags=["collective"])

    monkeypatch.setattr("bot.intake.analyse", analyse)
    return calls


def test_good_line_gives_the_full_record(fake_analyse):
    code, out = run_classify(
        [json.dumps({"id": "a1", "text": "包工头欠我们工资"}, ensure_ascii=False)],
        ("classify", "--today", "2024-05-20"),
    )
    assert code == 0
    [rec] = out
    assert rec["id"] == "a1" and rec["category"] == "labour"
    assert set(rec) >= {"id", "category", "confidence", "top", "needs_review", "facts", "department", "flags"}
    assert set(rec) - {"id", "category", "confidence", "top", "needs_review", "facts", "department", "flags"} == {
        "matter",
        "alternatives",
        "out_of_area",
        "complaint",
    }  # added fields only: the first form of the contract still answers
    assert set(rec["department"]) == {"code", "name", "level"}
    assert all(set(t) == {"category", "p"} for t in rec["top"])
    assert rec["flags"] == ["collective"]
    assert fake_analyse == [("包工头欠我们工资", date(2024, 5, 20))]


def test_bad_lines_get_an_error_and_the_run_goes_on(fake_analyse):
    lines = [
        "{not json",
        json.dumps({"id": 2}),  # no text
        json.dumps({"id": 3, "text": 42}),  # text not a string
        json.dumps(["a", "list"]),  # not an object
        b'\xff\xfe{"id": 5}',  # not UTF-8
        json.dumps({"id": 6, "text": "😀😀！！"}),  # nothing to classify
        json.dumps({"id": 7, "text": "BOOM 工资"}),  # analysis raises
        "",  # blank line: skipped
        json.dumps({"id": 8, "text": "欠薪"}),  # still answered after all that
        "[" * 100000,  # pathologically nested
    ]
    code, out = run_classify(lines)
    assert code == 0
    assert len(out) == len(lines) - 1
    errors = [r for r in out if "error" in r]
    assert [r["id"] for r in errors] == [None, 2, 3, None, None, 6, 7, None]
    assert all(isinstance(r["error"], str) and r["error"] for r in errors)
    assert out[-2]["id"] == 8 and out[-2]["category"] == "labour"


def test_ten_thousand_lines_in_one_process_load_the_model_once(monkeypatch, tmp_path, tiny_model_path):
    from classifier import model as model_module

    loads = []
    real_load = model_module.CategoryModel.load.__func__

    def counting_load(cls, path):
        loads.append(path)
        return real_load(cls, path)

    monkeypatch.setattr(model_module.CategoryModel, "load", classmethod(counting_load))
    model_module.clear_model_cache()

    def analyse(text, today=None):  # the classifier for real, the rest of the analysis faked
        p = model_module.load_model(tiny_model_path).predict(text)
        return Draft(text, p.category, confidence=p.confidence, top=tuple(p.top), needs_review=p.needs_review)

    monkeypatch.setattr("bot.intake.alternatives_of", lambda draft, j=None: [("county.petition", 1.0)])

    monkeypatch.setattr("bot.intake.analyse", analyse)
    texts = ["包工头拖欠我们工资", "物业乱收费", "养猪场污水直排", "征地款没发"]
    lines = [json.dumps({"id": i, "text": texts[i % 4] + str(i)}, ensure_ascii=False) for i in range(10_000)]
    try:
        code, out = run_classify(lines)
    finally:
        model_module.clear_model_cache()
    assert code == 0
    assert len(out) == 10_000
    assert [r["id"] for r in out] == list(range(10_000))
    assert not any("error" in r for r in out)
    assert len(loads) == 1


def test_invalid_today_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        cli.main(["classify", "--today", "20.5.2024"], stdin=io.BytesIO(b""), stdout=io.StringIO())
    assert exc.value.code == 2


@pytest.fixture
def tiny_model_path(tmp_path):
    """A tiny category model, and beside it tiny matter and gate models (the real ones are built by `make run`)."""
    from bot.matters import load_catalogue
    from bot.training import GATE_MODEL, MATTER_MODEL, URGENT_MODEL
    from classifier.model import CategoryModel

    catalogue = load_catalogue()
    matter_texts = [k for m in catalogue.matters.values() for k in m.keywords]
    matter_labels = [m.code for m in catalogue.matters.values() for _ in m.keywords]
    CategoryModel(cv=0).fit(matter_texts, matter_labels).save(tmp_path / MATTER_MODEL)
    complaints = ["包工头拖欠我们农民工三个月工资", "邻居占了我家的宅基地", "物业乱收费", "工地老板欠薪不给"]
    others = ["发错了", "谢谢", "你好", "好的"]
    CategoryModel(cv=0).fit(complaints + others, ["complaint"] * 4 + ["not_complaint"] * 4).save(tmp_path / GATE_MODEL)
    urgent = ["他拿刀要砍人", "着火了", "我不想活了", "煤气漏了"]
    CategoryModel(cv=0).fit(urgent + complaints, ["urgent"] * 4 + ["not_urgent"] * 4).save(tmp_path / URGENT_MODEL)
    texts = [
        "包工头拖欠我们工资",
        "老板欠薪跑路",
        "工地不发工钱",
        "物业乱收费",
        "物业不修电梯",
        "物业费太贵",
        "养猪场污水直排",
        "工厂偷排废水",
        "烟囱冒黑烟",
        "征地款没发",
        "宅基地被占",
        "承包地被收回",
    ]
    labels = ["labour"] * 3 + ["property"] * 3 + ["environment"] * 3 + ["land"] * 3
    return CategoryModel(cv=0).fit(texts, labels).save(tmp_path / "category.joblib")


def test_console_script_runs_end_to_end_with_the_real_analysis(tiny_model_path):
    """The real intake analysis (classifier + facts + routing) behind the installed entry point."""
    env = {**os.environ, "MODEL_DIR": str(tiny_model_path.parent), "PETITION_VAR_DIR": str(tiny_model_path.parent)}
    lines = [{"id": "x", "text": "戛洒镇南恩村的包工头拖欠我们12个农民工三个月工资"}, {"id": "y"}]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "classify", "--today", "2024-05-20"],
        cwd=ROOT,
        env=env,
        input="\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode(),
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert out[0]["id"] == "x" and out[0]["category"] == "labour"
    assert out[0]["department"]["code"] and isinstance(out[0]["facts"], dict)
    assert out[0]["matter"]["code"].startswith("labour.") and len(out[0]["alternatives"]) >= 1
    assert out[0]["out_of_area"] is None and isinstance(out[0]["complaint"], bool)  # tiny models: shape only
    assert out[1] == {"id": "y", "error": out[1]["error"]}


def test_train_writes_the_models_into_the_settings_model_dir(tmp_path, monkeypatch, settings_env):
    """`petition train` trains the category, matter and gate models into $MODEL_DIR (the real trainers replaced by
    quick ones: what is checked is where they go and what is printed)."""
    from bot import settings, training
    from classifier.model import CategoryModel

    def quick(out, **_kw):
        model = CategoryModel(cv=0).fit(["欠薪", "占地", "漏水"], ["a", "b", "c"])
        model.report.update(n_examples=3, cv_accuracy=1.0, cv_macro_f1=1.0)
        model.save(out)
        return model

    monkeypatch.setattr(training, "train_matter_model", lambda out, show_progress=True: quick(out))
    monkeypatch.setattr(training, "train_gate_model", lambda out, show_progress=True: quick(out))
    monkeypatch.setattr(training, "train_urgent_model", lambda out, show_progress=True: quick(out))
    monkeypatch.setattr(
        training.category_training, "train", lambda out, show_progress=True, real_dir=None: (quick(out), out)
    )
    monkeypatch.setattr(training.category_training, "report", lambda model, out: print("category model saved"))
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    settings.get_settings.cache_clear()
    out = io.StringIO()
    assert cli.main(["train"], stdin=io.BytesIO(b""), stdout=out) == 0
    for name in ("category.joblib", "matter.joblib", "gate.joblib", "urgent.joblib"):
        assert (tmp_path / "models" / name).is_file()
    assert "matter: 3 examples" in out.getvalue() and "gate: 3 examples" in out.getvalue()


def test_migrate_brings_the_database_to_the_current_schema(settings_env):
    from sqlalchemy import inspect

    from bot.db import get_engine

    out = io.StringIO()
    assert cli.main(["migrate"], stdin=io.BytesIO(b""), stdout=out) == 0
    assert "tickets" in inspect(get_engine()).get_table_names()
    assert "最新" in out.getvalue()


def test_retrain_switches_the_matter_model_only_when_the_heldout_set_agrees(tmp_path, monkeypatch, settings_env):
    from bot import history, intake, settings, training
    from classifier.model import CategoryModel

    monkeypatch.setenv("MODEL_DIR", str(tmp_path))
    settings.get_settings.cache_clear()
    current = CategoryModel(cv=0).fit(["欠薪", "占地", "漏水"], ["labour.a", "land.b", "neighbour.c"])
    current.save(tmp_path / training.MATTER_MODEL)
    monkeypatch.setattr(intake, "matter_model", lambda: current)
    monkeypatch.setattr(
        training, "matter_examples", lambda c: (["欠薪", "占地", "漏水"], ["labour.a", "land.b", "neighbour.c"])
    )
    heldout = tmp_path / "heldout"
    heldout.mkdir()
    (heldout / "r.jsonl").write_text('{"text": "x", "departments": ["county.hrss"]}\n', encoding="utf-8")
    scores = {}
    monkeypatch.setattr(history, "department_accuracy", lambda rows, model: scores[model is current])

    monkeypatch.setattr(history, "confirmed_matter_examples", lambda *a: [])
    out = io.StringIO()
    cli.main(["retrain", "--heldout", str(heldout)], stdin=io.BytesIO(b""), stdout=out)
    assert "模型不变" in out.getvalue()

    monkeypatch.setattr(history, "confirmed_matter_examples", lambda *a: [("住院报销不到账", "labour.a")])
    scores.update({True: (7, 10), False: (6, 10)})  # the candidate is worse: kept out
    out = io.StringIO()
    cli.main(["retrain", "--heldout", str(heldout)], stdin=io.BytesIO(b""), stdout=out)
    assert "之前 0.700，之后 0.600" in out.getvalue() and "不如现在的好" in out.getvalue()
    assert CategoryModel.load(tmp_path / training.MATTER_MODEL).report == current.report

    scores.update({True: (7, 10), False: (8, 10)})  # better: switched
    out = io.StringIO()
    cli.main(["retrain", "--heldout", str(heldout)], stdin=io.BytesIO(b""), stdout=out)
    assert "已换用新模型" in out.getvalue()
    assert CategoryModel.load(tmp_path / training.MATTER_MODEL).report["n_examples"] == 6  # 3 + the re-route ×3
    settings.get_settings.cache_clear()


def test_purge_says_what_it_would_remove_and_refuses_a_period_under_a_year(settings_env, engine):
    out = io.StringIO()
    assert cli.main(["purge", "--dry-run"], stdin=io.BytesIO(b""), stdout=out) == 0
    assert "办结超过 3 年的工单：0 件将删除个人信息" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["purge", "--years", "0"], stdin=io.BytesIO(b""), stdout=out) == 2
    assert "至少 1 年" in out.getvalue()
