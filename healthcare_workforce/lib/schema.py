"""JSON Schemas of the HR master-data messages (``hr.employee``, ``hr.department``,
``hr.cost_center``) and the check at the door. No ORM.

Every message carries its own ``id`` (the idempotency key: a nightly batch re-sent is recognised
message by message) and ``type``; the record it describes is named by ``external_id`` (employee)
or ``code`` (department, cost centre): a message is an upsert of that record.
"""

from odoo.addons.healthcare_integration_base.lib.payload import schema_violations
from odoo.addons.healthcare_integration_base.lib.schemas import IDENTIFIER, NO_NUL, NULLABLE_STRING, PROPERTY_NAMES

NAME = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": NO_NUL}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
COMMON = {
    "id": IDENTIFIER,
    "schema_version": {"type": "string", "pattern": "^1\\.[0-9]+$"},
    "occurred_at": {"type": "string", "format": "date-time"},
    "active": {"type": "boolean"},
}

COST_CENTER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "HrCostCenter",
    "description": "A cost centre from the HR system: an analytic account in Odoo, found again by its code.",
    "type": "object",
    "required": ["id", "type", "code", "name"],
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        **COMMON,
        "type": {"const": "hr.cost_center"},
        "code": IDENTIFIER,
        "name": NAME,
    },
}

DEPARTMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "HrDepartment",
    "description": (
        "A department from the HR system: an hr.department in Odoo, found again by its code. "
        "`parent` and `cost_center` are codes; `manager` is an employee's external id; `facility` "
        "is the site code (a warehouse's code or its address's reference)."
    ),
    "type": "object",
    "required": ["id", "type", "code", "name"],
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        **COMMON,
        "type": {"const": "hr.department"},
        "code": IDENTIFIER,
        "name": NAME,
        "parent": NULLABLE_STRING,
        "cost_center": NULLABLE_STRING,
        "facility": NULLABLE_STRING,
        "manager": NULLABLE_STRING,
    },
}

EMPLOYEE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "HrEmployee",
    "description": (
        "An employee from the HR system: an hr.employee (and, while active, a user without "
        "password) found again by `external_id`. `role` is the job/role code that gives "
        "purchasing rights (Workforce > Roles); `department`/`cost_center` are codes, `manager` "
        "an external id. `active: false` or an `end_date` in the past is a leaver."
    ),
    "type": "object",
    "required": ["id", "type", "external_id", "name"],
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        **COMMON,
        "type": {"const": "hr.employee"},
        "external_id": IDENTIFIER,
        "name": NAME,
        "work_email": {"type": ["string", "null"], "maxLength": 254, "pattern": "^[^\\s@\\u0000]+@[^\\s@\\u0000]+$"},
        "department": NULLABLE_STRING,
        "role": NULLABLE_STRING,
        "job_title": NULLABLE_STRING,
        "cost_center": NULLABLE_STRING,
        "manager": NULLABLE_STRING,
        "facility": NULLABLE_STRING,
        "start_date": DATE_OR_NULL,
        "end_date": DATE_OR_NULL,
    },
}

SCHEMAS = {"hr.cost_center": COST_CENTER, "hr.department": DEPARTMENT, "hr.employee": EMPLOYEE}


def validate(message_type, obj):
    """Violations of an HR document against its type's schema (empty: valid)."""
    schema = SCHEMAS.get(message_type)
    if schema is None:
        return [f"$.type: must be one of {sorted(SCHEMAS)}"]
    if not isinstance(obj, dict):
        return ["$: must be a JSON object"]
    return schema_violations(schema["title"], schema, obj)
