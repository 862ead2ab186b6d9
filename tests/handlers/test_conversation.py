import pytest
from sqlalchemy import select

from bot.models import Attachment, Message, Ticket
from handlers import conversation, rasa_client
from handlers.conversation import Attachment as Att
from handlers.conversation import converse
from handlers.responses import reply


@pytest.fixture
def rasa(monkeypatch, engine):
    """A stand-in Rasa that records what it was sent and answers with a scripted message."""
    calls: list[dict] = []
    answer: list[dict] = [{"recipient_id": "x", "text": "您好，请问遇到了什么问题？"}]

    def send(url, sender_id, text, metadata=None, timeout=20.0):
        calls.append({"sender": sender_id, "text": text, "metadata": metadata})
        return answer

    monkeypatch.setattr(rasa_client, "send", send)
    return calls, answer


@pytest.fixture
def rasa_down(monkeypatch, engine, make_draft):
    def send(*_a, **_k):
        raise rasa_client.RasaUnavailable("connection refused")

    monkeypatch.setattr(rasa_client, "send", send)
    monkeypatch.setattr("bot.intake.analyse", lambda text, today=None: make_draft("labour", text=text))


def messages(engine):
    from bot.db import session_scope

    with session_scope(engine) as s:
        return [(m.text, m.handling, m.ticket_id) for m in s.scalars(select(Message))]


def test_empty_input_gets_a_chinese_prompt_and_rasa_is_not_called(rasa, engine):
    replies = converse("web:a", "   \n ")
    assert replies[0] == reply("utter_empty") and "没有输入内容" in replies[0].text
    assert rasa[0] == []


def test_emoji_only_is_kept_and_answered_without_rasa(rasa, engine):
    replies = converse("web:a", "😡😡👍")
    assert "没看懂" in replies[0].text
    assert rasa[0] == [] and messages(engine) == [("😡😡👍", "stored", None)]


def test_very_long_message_is_stored_whole_and_rasa_sees_its_start(rasa, engine):
    text = "包工头欠我们工资" * 2500  # 20,000 characters
    converse("tg:1", text)
    calls, _ = rasa
    assert len(calls[0]["text"]) == conversation.RASA_MAX_CHARS
    stored = messages(engine)
    assert stored[0][0] == text and calls[0]["metadata"] == {"message_id": 1}


def test_status_command_is_mapped_to_the_rasa_intent(rasa, engine):
    converse("tg:1", "/status")
    assert rasa[0][0]["text"] == "/check_status"


def test_rasa_buttons_become_reply_buttons(rasa, engine):
    rasa[1][:] = [
        {
            "text": "您反映的是劳动工资问题，对吗？",
            "buttons": [{"title": "是的", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"}],
        }
    ]
    replies = converse("web:a", "老板不发工资")
    assert [b.payload for b in replies[0].buttons] == ["/affirm", "/deny"]


def test_photo_is_kept_as_evidence(rasa, engine):
    replies = converse("tg:7", "", [Att("photo", "AgAD-file-id", "image/jpeg")])
    assert "照片" in replies[0].text and rasa[0] == []
    from bot.db import session_scope

    with session_scope(engine) as s:
        assert [(a.kind, a.ref) for a in s.scalars(select(Attachment))] == [("photo", "AgAD-file-id")]


def test_complaint_is_filed_without_dialogue_when_rasa_is_down(rasa_down, engine):
    replies = converse("tg:9", "包工头欠我们十二个人三个月工资不给")
    assert "已直接登记" in replies[0].text and "XP" in replies[0].text
    from bot.db import session_scope

    with session_scope(engine) as s:
        t = s.scalars(select(Ticket)).one()
        assert t.needs_review and t.sender_id == "tg:9" and t.text == "包工头欠我们十二个人三个月工资不给"
    assert messages(engine)[0][1:] == ("filed_directly", t.id)


def test_greeting_while_rasa_is_down_is_kept_but_not_filed(rasa_down, engine):
    replies = converse("tg:9", "你好")
    assert "已保存" in replies[0].text
    assert messages(engine) == [("你好", "stored", None)]


def test_status_query_while_rasa_is_down_is_answered_from_the_database(rasa_down, engine):
    converse("tg:9", "包工头欠我们十二个人三个月工资不给")
    replies = converse("tg:9", "我的投诉怎么样了")
    assert "已登记，待部门受理" in replies[0].text and "新平县人力资源和社会保障局" in replies[0].text
    # the same words as Rasa's action would send: the responses of domain.yml
    assert converse("tg:other", "查询 XP20261123-00001")[0] == reply(
        "utter_status_not_found", number="XP20261123-00001"
    )


def test_message_is_kept_when_even_direct_filing_fails(monkeypatch, engine):
    def down(*_a, **_k):
        raise rasa_client.RasaUnavailable("refused")

    def no_model(*_a, **_k):
        raise FileNotFoundError("models/category.joblib")

    monkeypatch.setattr(rasa_client, "send", down)
    monkeypatch.setattr("bot.intake.analyse", no_model)
    replies = converse("web:z", "村里占了我家承包地不给补偿")
    assert "完整保存" in replies[0].text
    assert messages(engine)[0][0] == "村里占了我家承包地不给补偿"


def test_a_message_sent_by_mistake_is_never_filed_while_rasa_is_down(monkeypatch, engine, make_draft):
    def down(*_a, **_k):
        raise rasa_client.RasaUnavailable("refused")

    monkeypatch.setattr(rasa_client, "send", down)
    monkeypatch.setattr("bot.intake.analyse", lambda text, today=None: make_draft(text=text, not_complaint=True))
    replies = converse("web:z", "不好意思刚才发错了，不用管")
    assert replies == [reply("utter_not_a_complaint")]
    from bot.db import session_scope

    with session_scope(engine) as s:
        assert s.scalars(select(Ticket)).all() == []
    assert messages(engine) == [("不好意思刚才发错了，不用管", "stored", None)]


def test_when_the_action_server_is_down_a_complaint_is_filed_without_dialogue(rasa, engine, monkeypatch, make_draft):
    calls, answer = rasa
    answer.clear()  # Rasa answers nothing: its action could not run
    monkeypatch.setattr(rasa_client, "actions_alive", lambda url: False)
    monkeypatch.setattr("bot.intake.analyse", lambda text, today=None: make_draft("labour", text=text))
    replies = converse("web:down1", "包工头欠了我们三个月工资一直不给")
    assert "已直接登记" in replies[0].text
    [(text, handling, ticket)] = messages(engine)
    assert handling == "filed_directly" and ticket is not None


def test_when_the_dialogue_is_lost_midway_an_answer_is_filed_with_the_complaint_told_before(
    rasa, engine, monkeypatch, make_draft
):
    converse("web:mid1", "包工头欠了我们三个月工资一直不给")  # told to the dialogue while it was up

    def down(*_a, **_k):
        raise rasa_client.RasaUnavailable("connection refused")

    monkeypatch.setattr(rasa_client, "send", down)
    monkeypatch.setattr("bot.intake.analyse", lambda text, today=None: make_draft("labour", text=text))
    replies = converse("web:mid1", "13812345678")  # the answer to the phone question
    assert "已直接登记" in replies[0].text
    from bot.db import session_scope

    with session_scope(engine) as s:
        [t] = s.scalars(select(Ticket)).all()
        assert t.text == "包工头欠了我们三个月工资一直不给\n13812345678"  # never the phone number alone
    assert all(ticket == t.id for _, _, ticket in messages(engine))


def test_a_message_sent_again_with_its_key_gets_the_same_replies_and_is_acted_on_once(rasa, engine):
    calls, answer = rasa
    answer[:] = [{"text": "您的诉求已登记。工单号：XP20261130-00001"}]
    first = converse("web:retry1", "包工头欠了我们三个月工资", key="web:m-1")
    answer[:] = [{"text": "不客气！"}]  # what Rasa would say to the same words a second time
    again = converse("web:retry1", "包工头欠了我们三个月工资", key="web:m-1")
    assert again == first and "XP20261130-00001" in again[0].text
    assert len(calls) == 1 and len(messages(engine)) == 1
    other = converse("web:retry1", "包工头欠了我们三个月工资", key="web:m-2")  # a new message: a new answer
    assert other[0].text == "不客气！" and len(calls) == 2


def test_words_starting_with_a_slash_reach_rasa_as_words_and_button_payloads_as_intents(rasa, engine):
    calls, _ = rasa
    converse("web:slash01", "/包工头欠薪")
    converse("web:slash01", '/inform{"category":"land"}')
    converse("web:slash01", "/status")
    assert [c["text"] for c in calls] == ["包工头欠薪", '/inform{"category":"land"}', "/check_status"]
