"""HR master-data documents as plain values: what the processor compares with Odoo. No ORM.

``normalise(message_type, obj)`` turns a valid document into a :class:`HrDoc` whose ``values``
hold only what the sender stated (absent members are not changes), with dates parsed and
strings trimmed; ``is_leaver`` tells an employee who left (inactive, or an end date passed).
"""

from dataclasses import dataclass, field
from datetime import date

EMPLOYEE_KEYS = ("name", "work_email", "department", "role", "job_title", "cost_center", "manager", "facility")
DEPARTMENT_KEYS = ("name", "parent", "cost_center", "facility", "manager")
COST_CENTER_KEYS = ("name",)


@dataclass
class HrDoc:
    kind: str  # employee | department | cost_center
    key: str  # external id or code
    values: dict = field(default_factory=dict)
    active: bool = True
    start_date: date | None = None
    end_date: date | None = None

    def is_leaver(self, today):
        return not self.active or (self.end_date is not None and self.end_date < today)


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def normalise(message_type, obj):
    kind = {"hr.employee": "employee", "hr.department": "department", "hr.cost_center": "cost_center"}[message_type]
    keys = {"employee": EMPLOYEE_KEYS, "department": DEPARTMENT_KEYS, "cost_center": COST_CENTER_KEYS}[kind]
    key = _clean(obj["external_id"] if kind == "employee" else obj["code"])
    values = {name: _clean(obj[name]) for name in keys if name in obj}
    if values.get("work_email"):
        values["work_email"] = values["work_email"].lower()
    doc = HrDoc(kind, key, values, active=obj.get("active", True) is not False)
    if kind == "employee":
        doc.start_date = _date(obj.get("start_date"))
        doc.end_date = _date(obj.get("end_date"))
        if "start_date" in obj:
            values["start_date"] = doc.start_date
        if "end_date" in obj:
            values["end_date"] = doc.end_date
    return doc
