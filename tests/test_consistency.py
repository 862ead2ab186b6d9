"""Fails on drift between the Rasa files, the action code, the taxonomy and the jurisdiction file."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rasa_sdk import Action
from rasa_sdk.utils import all_subclasses

import handlers.actions
from classifier.categories import category_codes
from handlers.actions.answers import FACT_SLOTS

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ACTIONS_DIR = Path(handlers.actions.__file__).parent
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


def test_every_form_slot_is_a_fact_derived_slot_of_the_domain():
    assert form_slots() <= set(FACT_SLOTS)
    assert set(FACT_SLOTS) <= set(DOMAIN["slots"])


def test_every_form_slot_has_a_question():
    assert {f"utter_ask_{s}" for s in form_slots()} <= set(DOMAIN["responses"])


def test_every_category_has_a_route():
    routing = yaml.safe_load((ROOT / "bot" / "jurisdiction.yml").read_text(encoding="utf-8"))["routing"]
    assert set(category_codes()) <= set(routing)


def test_every_response_used_in_python_exists_in_the_domain():
    used = set()
    for path in ACTIONS_DIR.glob("*.py"):
        used |= set(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    assert used, "no responses found: has the action code moved?"
    assert used <= set(DOMAIN["responses"])


def test_every_response_variable_is_given_by_the_actions_or_a_slot():
    """{placeholders} in responses are filled from the actions' keyword arguments or from slots."""
    code = "".join(p.read_text(encoding="utf-8") for p in ACTIONS_DIR.glob("*.py"))
    keywords = set(re.findall(r"\b([a-z_]+)=", code)) | set(re.findall(r"[\"']([a-z_]+)[\"']:", code))
    given = keywords | set(DOMAIN["slots"])
    for name, variants in DOMAIN["responses"].items():
        for v in variants:
            missing = set(re.findall(r"\{([a-z_]+)\}", v.get("text", ""))) - given
            assert not missing, f"{name}: {missing}"


def test_every_response_and_action_in_rules_and_stories_exists():
    known = set(DOMAIN["responses"]) | set(DOMAIN["actions"]) | set(DOMAIN["forms"]) | {"action_deactivate_loop"}
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
