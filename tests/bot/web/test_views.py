from bot import views
from bot.views import CitizenStatus, TicketForDepartment, TicketForOperator, TicketForSupervisor, TicketSummary


def test_views_that_must_not_show_the_id_number_have_no_such_field():
    for model in (TicketSummary, TicketForSupervisor, CitizenStatus):
        assert not any("id_number" in name for name in model.model_fields), model
    for model in (TicketForDepartment, TicketForOperator):
        assert "id_number" not in model.model_fields and "id_number_masked" in model.model_fields
    assert "phone" not in TicketForSupervisor.model_fields and "phone_masked" in TicketForSupervisor.model_fields
    assert not {"phone", "citizen_name", "text"} & CitizenStatus.model_fields.keys()


def test_masks_keep_the_kind_of_number_visible():
    assert views.mask_phone("13812345678") == "138****5678"
    assert views.mask_phone(None) is None
    assert views.mask_id_number("11010119900307123X") == "1101**********123X"
    assert "7012345" not in views.mask_phone("0877-7012345")
    text = "电话13812345678，身份证11010119900307123X，欠款36000元，日期20261123"
    for masked in (views.mask_text(text), views._local_mask_text(text)):
        assert "13812345678" not in masked and "11010119900307123X" not in masked
        assert "138****5678" in masked and "36000" in masked and "20261123" in masked
    assert views.mask_id_numbers_in_text(text).startswith("电话13812345678，身份证1101**********123X")


def test_masks_without_the_classifier_module(monkeypatch):
    monkeypatch.setattr(views, "_mask_pii", lambda: None)
    assert views.mask_phone("13812345678") == "138****5678"
    assert views.mask_phone("0877-7012345") == "087*-***2345"
    assert views.mask_id_number("11010119900307123X") == "1101**********123X"
    assert views.mask_text("打13812345678") == "打138****5678"


def test_citizen_status_of_a_ticket(session, make_analysis):
    from bot.tickets import Actor, create_ticket

    t = create_ticket(
        session,
        analysis=make_analysis("labour"),
        text="欠薪",
        channel="web",
        sender_id="web:abc",
        actor=Actor("citizen", "citizen"),
        phone="13812345678",
    )
    session.flush()
    status = CitizenStatus.of(t).model_dump()
    assert status["department_name"] == "新平县人力资源和社会保障局" and status["category_name"] == "劳动工资"
    assert "13812345678" not in str(status)
