"""HR documents as plain values without a database: what is stated, dates, leavers, the schemas."""

from datetime import date

from ..lib import hrdoc, schema


def test_only_what_is_stated_is_a_change_and_emails_are_lower_case():
    doc = hrdoc.normalise(
        "hr.employee", {"external_id": " E1 ", "name": "Ana", "work_email": "Ana@X.example", "manager": ""}
    )
    assert doc.key == "E1"
    assert doc.values == {"name": "Ana", "work_email": "ana@x.example", "manager": None}
    assert "department" not in doc.values


def test_leavers():
    today = date(2026, 12, 1)
    assert hrdoc.normalise("hr.employee", {"external_id": "E", "name": "x", "active": False}).is_leaver(today)
    assert hrdoc.normalise("hr.employee", {"external_id": "E", "name": "x", "end_date": "2026-11-30"}).is_leaver(today)
    assert not hrdoc.normalise("hr.employee", {"external_id": "E", "name": "x", "end_date": "2026-12-01"}).is_leaver(
        today
    )


def test_schemas_name_the_field_never_the_value():
    ok = {"id": "1", "type": "hr.department", "code": "ICU", "name": "ICU", "parent": None}
    assert schema.validate("hr.department", ok) == []
    bad = schema.validate("hr.employee", {"id": "1", "type": "hr.employee", "name": "x", "start_date": "secret-31"})
    assert any("external_id" in v for v in bad) and any("$.start_date" in v for v in bad)
    assert all("secret" not in v for v in bad)
    assert schema.validate("hr.cost_center", {"id": "1", "type": "hr.cost_center", "code": "C", "name": ""})
