"""The recall notice (message type ``recall.notice``): its JSON Schema and its normalisation. No ORM.

A supplier's system, a regulator's feed or a person's tool posts::

    {"id": "RCL-2026-0042", "type": "recall.notice", "schema_version": "1.0",
     "issued_at": "2026-11-24T09:00:00Z",
     "source": {"system": "supplier-gateway", "authority": "ACME Pharma"},
     "item": {"gtin": "05012345678900", "code": "NS-1000"},
     "lots": ["L2411A"], "serials": [], "reason": "Particles found in bags", "classification": "II"}
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone

from odoo.addons.healthcare_integration_base.lib.payload import schema_violations
from odoo.addons.healthcare_integration_base.lib.schemas import (
    IDENTIFIER,
    MAX_FREE_TEXT,
    NO_NUL,
    NULLABLE_STRING,
    PROPERTY_NAMES,
    RFC3339,
)
from odoo.addons.healthcare_inventory_sync.lib.gs1 import Gs1Error, normalise_gtin

MAX_LOTS = 1000
LOT_LIST = {"type": "array", "maxItems": MAX_LOTS, "items": IDENTIFIER}

ITEM = {
    "type": "object",
    "propertyNames": PROPERTY_NAMES,
    "properties": {"code": NULLABLE_STRING, "gtin": NULLABLE_STRING},
}
RECALL_NOTICE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "RecallNotice",
    "description": (
        "A recall notice, version 1: a product (GTIN or the sender's item code, in `item` or at the "
        "top level) and the lots or serial numbers recalled (`lots`/`serials` lists, or one `lot`/"
        "`serial`), with the reason and who issued it. It opens a recall case in Odoo."
    ),
    "type": "object",
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        "id": IDENTIFIER,
        "type": {"type": "string", "const": "recall.notice"},
        "schema_version": {"type": "string", "pattern": r"^1\.\d+$"},
        "issued_at": {"type": ["string", "null"], "format": "date-time", "pattern": RFC3339},
        "source": {
            "anyOf": [
                IDENTIFIER,
                {
                    "type": "object",
                    "propertyNames": PROPERTY_NAMES,
                    "properties": {"system": NULLABLE_STRING, "authority": NULLABLE_STRING},
                },
            ]
        },
        "item": ITEM,
        "gtin": NULLABLE_STRING,
        "code": NULLABLE_STRING,
        "product_code": NULLABLE_STRING,
        "lots": LOT_LIST,
        "serials": LOT_LIST,
        "lot": NULLABLE_STRING,
        "serial": NULLABLE_STRING,
        "reason": {"type": ["string", "null"], "maxLength": MAX_FREE_TEXT, "pattern": NO_NUL},
        "classification": {"type": ["string", "null"], "enum": ["I", "II", "III", None]},
    },
    "allOf": [
        {
            "anyOf": [
                {
                    "required": ["item"],
                    "properties": {
                        "item": {
                            "anyOf": [
                                {"required": ["code"], "properties": {"code": {"type": "string", "minLength": 1}}},
                                {"required": ["gtin"], "properties": {"gtin": {"type": "string", "minLength": 1}}},
                            ]
                        }
                    },
                },
                *(
                    {"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
                    for name in ("gtin", "code", "product_code")
                ),
            ]
        },
        {
            "anyOf": [
                {"required": ["lots"], "properties": {"lots": {"minItems": 1}}},
                {"required": ["serials"], "properties": {"serials": {"minItems": 1}}},
                {"required": ["lot"], "properties": {"lot": {"type": "string", "minLength": 1}}},
                {"required": ["serial"], "properties": {"serial": {"type": "string", "minLength": 1}}},
            ]
        },
    ],
}


class NoticeError(ValueError):
    def __init__(self, code, detail):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass
class Notice:
    key: str | None
    source_system: str | None
    authority: str | None
    item_code: str | None
    gtin: str | None
    lots: list = field(default_factory=list)
    reason: str = ""
    classification: str | None = None
    issued_at: datetime | None = None


def validate_notice(obj):
    """Schema violations of a recall notice (empty when valid); each names the field, not its value."""
    return schema_violations("RecallNotice", RECALL_NOTICE, obj)


def normalise_notice(obj):
    """A valid notice as a :class:`Notice`: GTIN verified (14 digits), lots and serials merged,
    de-duplicated in order, blanks dropped. Raises :class:`NoticeError` when it cannot be used."""
    violations = validate_notice(obj)
    if violations:
        raise NoticeError("schema_violation", "; ".join(violations))
    item = obj.get("item") if isinstance(obj.get("item"), dict) else {}
    raw_gtin = item.get("gtin") or obj.get("gtin")
    gtin = None
    if raw_gtin:
        try:
            gtin = normalise_gtin(raw_gtin)
        except Gs1Error as exc:
            raise NoticeError(exc.code, f"item.gtin: {exc.detail}") from None
    code = item.get("code") or obj.get("code") or obj.get("product_code")
    names = []
    for given in [*(obj.get("lots") or []), *(obj.get("serials") or []), obj.get("lot"), obj.get("serial")]:
        name = (given or "").strip()
        if name and name not in names:
            names.append(name)
    if not names:
        raise NoticeError("schema_violation", "$.lots: at least one lot or serial number is needed")
    if not (gtin or (code or "").strip()):
        raise NoticeError("schema_violation", "$.item: a GTIN or an item code is needed")
    issued = None
    if obj.get("issued_at"):
        text = obj["issued_at"].replace("z", "Z").replace("Z", "+00:00")
        try:
            issued = datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None)
        except ValueError:
            raise NoticeError("schema_violation", "$.issued_at: not a real date and time") from None
    source = obj.get("source")
    if isinstance(source, dict):
        system, authority = source.get("system"), source.get("authority")
    else:
        system, authority = source, None
    return Notice(
        key=obj.get("id"),
        source_system=system or None,
        authority=authority or None,
        item_code=(code or "").strip() or None,
        gtin=gtin,
        lots=names,
        reason=(obj.get("reason") or "").strip(),
        classification=obj.get("classification"),
        issued_at=issued,
    )
