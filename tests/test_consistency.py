"""Fails on drift between the Rasa files, the action code, the intake Draft, the ticket table, the taxonomy, the
jurisdiction file, the staff pages and the dialogue diagram."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rasa_sdk import Action
from rasa_sdk.utils import all_subclasses

import handlers.actions
from bot import intake, vocabulary
from bot.intake import FORM_FIELDS, Draft
from bot.models import Ticket
from classifier.categories import category_codes

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ACTIONS_DIR = Path(handlers.actions.__file__).parent
HANDLERS_DIR = ACTIONS_DIR.parent
STATIC = ROOT / "bot" / "web" / "static"
DIALOGUE_DATA = ROOT / "nlu_data" / "dialogue"


def implemented_actions() -> set[str]:
    names = set()
    for cls in all_subclasses(Action):
        if cls.__module__.startswith("handlers.actions"):
            names.add(cls().name())
    return names


def form_slots() -> set[str]:
    return {s for f in DOMAIN["forms"].values() for s in f["required_slots"]}


def test_every_action_in_the_domain_is_implemented_and_every_implemented_action_is_in_the_domain():
    assert set(DOMAIN["actions"]) == implemented_actions()


def test_slot_names_are_the_draft_fields_and_the_ticket_columns():
    """One name per fact: the Rasa slot, the intake Draft field and the ticket column are the same word."""
    draft_fields = set(Draft.__dataclass_fields__)
    columns = set(Ticket.__table__.columns.keys())
    for name in FORM_FIELDS:
        assert name in DOMAIN["slots"], name
        assert name in draft_fields, name
        assert name in columns, name
    assert form_slots() <= set(FORM_FIELDS)
    assert set(intake.FIELD_SOURCES) == set(FORM_FIELDS)


def test_every_form_slot_has_a_question():
    assert {f"utter_ask_{s}" for s in form_slots()} <= set(DOMAIN["responses"])


def test_every_category_has_a_route():
    routing = yaml.safe_load((ROOT / "bot" / "jurisdiction.yml").read_text(encoding="utf-8"))["routing"]
    assert set(category_codes()) <= set(routing)


def test_every_response_used_in_python_exists_in_the_domain():
    used = set()
    for path in [*ACTIONS_DIR.glob("*.py"), *HANDLERS_DIR.glob("*.py")]:
        used |= set(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    used -= {"utter_action"}  # the key of Rasa's bot-event metadata that names a response, not a response
    assert used, "no responses found: has the action code moved?"
    assert used <= set(DOMAIN["responses"])


def test_every_response_variable_is_given_by_the_actions_or_a_slot():
    """{placeholders} in responses are filled from the actions' keyword arguments or from slots (or, for the
    responses our code sends without Rasa, by the handlers that send them)."""
    senders = [*ACTIONS_DIR.glob("*.py"), ACTIONS_DIR.parent / "conversation.py", ACTIONS_DIR.parent / "followup.py"]
    code = "".join(p.read_text(encoding="utf-8") for p in senders)
    keywords = set(re.findall(r"\b([a-z_]+)=", code)) | set(re.findall(r"[\"']([a-z_]+)[\"']:", code))
    given = keywords | set(DOMAIN["slots"])
    for name, variants in DOMAIN["responses"].items():
        for v in variants:
            missing = set(re.findall(r"\{([a-z_]+)\}", v.get("text", ""))) - given
            assert not missing, f"{name}: {missing}"


def test_every_response_and_action_in_rules_and_stories_exists():
    known = (
        set(DOMAIN["responses"])
        | set(DOMAIN["actions"])
        | set(DOMAIN["forms"])
        | {"action_deactivate_loop", "action_listen"}
    )  # Rasa's own
    for path in DIALOGUE_DATA.glob("*/*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in (data.get("rules") or []) + (data.get("stories") or []):
            for step in block.get("steps", []) + block.get("condition", []):
                if "action" in step:
                    assert step["action"] in known, f"{path.name}: {step['action']}"


def test_complaint_examples_stay_out_of_rasas_training_data():
    """Rasa trains on nlu_data/dialogue only; category codes are never intents there."""
    intents = set()
    for path in (DIALOGUE_DATA / "nlu").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents |= {block["intent"] for block in data.get("nlu", []) if "intent" in block}
    assert intents == set(DOMAIN["intents"])
    assert not intents & set(category_codes())


def test_every_township_in_the_jurisdiction_file_has_its_departments(jurisdiction):
    kinds = {r.township_kind for r in jurisdiction.routing.values() if r.township_kind}
    for t in jurisdiction.townships.values():
        assert kinds <= set(t.offices), t.name
        assert all(jurisdiction.departments[code].township == t.code for code in t.offices.values())


def _js_literals(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in STATIC.glob("*.js"):
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_status_and_role_in_the_staff_pages_exists_in_the_vocabulary():
    statuses = {s.value for s in vocabulary.TicketStatus}
    compared = _js_literals(r"\.status\s*[!=]==\s*\"(\w+)\"") | _js_literals(r"\"s-(\w+)\"")
    assert compared, "no status literals found: have the pages moved?"
    assert compared <= statuses
    roles = _js_literals(r"\.role\s*[!=]==\s*\"(\w+)\"")
    assert roles <= {r.value for r in vocabulary.Role}
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    assert set(re.findall(r"\.s-(\w+)", css)) <= statuses


def test_the_generated_vocabulary_script_has_every_label():
    js = vocabulary.as_javascript()
    for enum in (vocabulary.TicketStatus, vocabulary.Role, vocabulary.EventAction, vocabulary.Channel):
        for member in enum:
            assert f'"{member.value}"' in js, member


def test_the_dialogue_diagram_matches_the_domain():
    """dialogue.md names every intent, action and form slot of domain.yml, and nothing the domain lacks."""
    diagram = (ROOT / "dialogue.md").read_text(encoding="utf-8")
    for name in [*DOMAIN["intents"], *DOMAIN["actions"], *form_slots(), *DOMAIN["forms"]]:
        assert re.search(rf"\b{name}\b", diagram), name
    known = set(DOMAIN["responses"]) | set(DOMAIN["actions"])
    for name in set(re.findall(r"\b((?:utter|action)_[a-z_]+)\b", diagram)):
        assert name in known, name
