"""Learning from dispatch history: the nearest confirmed past tickets vote for a department; confirmed re-routes
become matter examples."""

from datetime import datetime

from bot import intake
from bot.history import Neighbours, confirmed_history, confirmed_matter_examples, neighbours
from bot.matters import load_catalogue
from bot.tickets import Actor, get_ticket, reroute, resolve
from bot.vocabulary import Role
from classifier.model import CategoryModel


def test_the_nearest_past_tickets_vote_for_their_department():
    history = Neighbours(
        ["医保报销比例太低", "异地就医医保不给报", "医保卡报销不了", "包工头拖欠工资", "老板欠薪跑了"],
        ["county.medical_insurance"] * 3 + ["county.hrss"] * 2,
    )
    votes = history.vote("住院的医保报销一直没到账", k=3)
    assert votes[0][0] == "county.medical_insurance" and abs(sum(p for _, p in votes) - 1) < 1e-6
    assert history.vote("老板欠了我三个月工资")[0][0] == "county.hrss"


def test_resolved_and_rerouted_tickets_are_the_confirmed_history(session, make_draft, jurisdiction):
    def file(text, category):
        filed = intake.file_ticket(
            make_draft(category, text=text), sender_id="web:abcdefgh", session=session, now=datetime(2026, 11, 1)
        )
        return get_ticket(session, filed.number)

    done = file("包工头欠薪", "labour")
    resolve(session, done, Actor("clerk", Role.DEPARTMENT, "county.hrss"), "已处理")
    moved = file("住院报销一直不到账", "labour")
    reroute(session, moved, Actor("op", Role.OPERATOR), "county.medical_insurance")
    file("还没人处理的事", "labour")
    session.flush()
    texts, departments = confirmed_history(session)
    assert sorted(zip(texts, departments, strict=True)) == [
        ("住院报销一直不到账", "county.medical_insurance"),
        ("包工头欠薪", "county.hrss"),
    ]
    assert neighbours(session) is None  # too little history for a vote

    catalogue = load_catalogue()
    codes = [m.code for m in catalogue.matters.values() if m.county == "county.medical_insurance"]
    model = CategoryModel(cv=0).fit(["住院报销不到账", "医保缴费", "欠薪"], [codes[0], codes[1], "labour.x"])
    [(text, matter)] = confirmed_matter_examples(session, catalogue, jurisdiction, model)
    assert text == "住院报销一直不到账" and matter in codes
