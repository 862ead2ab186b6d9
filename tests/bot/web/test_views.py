from bot.views import CitizenStatus, TicketForDepartment, TicketForOperator, TicketForSupervisor, TicketSummary


def test_views_that_must_not_show_the_id_number_have_no_such_field():
    for model in (TicketSummary, TicketForSupervisor, CitizenStatus):
        assert not any("id_number" in name for name in model.model_fields), model
    for model in (TicketForDepartment, TicketForOperator):
        assert "id_number" not in model.model_fields and "id_number_masked" in model.model_fields
    assert "phone" not in TicketForSupervisor.model_fields and "phone_masked" in TicketForSupervisor.model_fields
    assert not {"phone", "citizen_name", "text"} & CitizenStatus.model_fields.keys()


def test_a_department_sees_no_id_number_in_the_facts_not_even_inside_the_demand(session, make_draft):
    from bot import intake
    from bot.tickets import get_ticket

    draft = make_draft(
        facts={"id_numbers": ["11010119900307123X"], "demand": "要求退还押金，身份证11010119900307123X"},
        text="押金不退，身份证11010119900307123X",
        phone="13812345678",
    )
    t = get_ticket(session, intake.file_ticket(draft, sender_id="web:abcdefgh", session=session).number)
    for view in (TicketForDepartment, TicketForOperator):
        shown = view.of(t).model_dump(mode="json")
        assert "11010119900307123X" not in str(shown) and "1101**********123X" in shown["facts"]["demand"]
        assert shown["phone"] == "13812345678"
    supervisor = TicketForSupervisor.of(t).model_dump(mode="json")
    assert "13812345678" not in str(supervisor) and "11010119900307123X" not in str(supervisor)


def test_places_show_the_jurisdictions_names_for_the_stored_codes(session, make_draft):
    from bot import intake
    from bot.tickets import get_ticket

    filed = intake.file_ticket(
        make_draft("land", township="gasa", village="gasa.nanen", address="嘎洒南恩"), session=session
    )
    shown = TicketSummary.of(get_ticket(session, filed.number)).model_dump()
    assert (shown["township_code"], shown["village_code"]) == ("gasa", "gasa.nanen")
    assert (shown["township"], shown["village"], shown["place"]) == ("戛洒镇", "南恩村", "戛洒镇南恩村")
    unlisted = intake.file_ticket(make_draft("land", township="gasa", address="戛洒镇李家村"), session=session)
    assert TicketSummary.of(get_ticket(session, unlisted.number)).place == "戛洒镇"
    outside = intake.file_ticket(make_draft("land", address="湖南省新化县"), session=session)
    assert TicketSummary.of(get_ticket(session, outside.number)).place == "湖南省新化县"


def test_citizen_status_of_a_ticket(session, make_draft):
    from bot import intake
    from bot.tickets import get_ticket

    filed = intake.file_ticket(make_draft("labour", phone="13812345678"), sender_id="web:abc", session=session)
    status = CitizenStatus.of(get_ticket(session, filed.number)).model_dump()
    assert status["department_name"] == "新平县人力资源和社会保障局" and status["category_name"] == "劳动工资"
    assert "13812345678" not in str(status)
