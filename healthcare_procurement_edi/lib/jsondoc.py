"""Canonical JSON documents: the same dicts as the EDI mappings, enveloped minimally."""

import json

from .errors import EdiError
from .model import Group, Interchange, Set

KINDS = {
    "order": "Order",
    "order_change": "OrderChange",
    "po_ack": "OrderResponse",
    "asn": "ShipNotice",
    "invoice": "Invoice",
}
MAX_BYTES = 50 * 1024 * 1024


def render(doc, env):
    body = {
        "format": "hc-procurement-json",
        "version": "1",
        "control_number": str(env.interchange_control_number),
        "sender": {"id": env.sender_id, "qualifier": env.sender_qualifier},
        "receiver": {"id": env.receiver_id, "qualifier": env.receiver_qualifier},
        "created_at": env.when.isoformat(),
        "test": bool(env.test),
        "document": doc,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def parse(data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if len(data) > MAX_BYTES:
            raise EdiError("too_large", "The JSON document is too large.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise EdiError("bad_encoding", "The JSON document is not UTF-8.") from err
    else:
        text = str(data)
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise EdiError("json_syntax", "The JSON document cannot be parsed.") from err
    if not isinstance(body, dict):
        raise EdiError("not_an_interchange", "The JSON document is not an object.")
    doc = body.get("document") if isinstance(body.get("document"), dict) else (body if "kind" in body else None)
    if doc is None or not isinstance(doc.get("kind"), str):
        raise EdiError("not_an_interchange", "The JSON document carries no canonical document with a kind.")
    sender = body.get("sender") if isinstance(body.get("sender"), dict) else {}
    receiver = body.get("receiver") if isinstance(body.get("receiver"), dict) else {}
    name = KINDS.get(doc["kind"], doc["kind"])
    ic = Interchange(
        syntax="json",
        version=str(body.get("version") or ""),
        sender_id=str(sender.get("id") or ""),
        sender_qualifier=str(sender.get("qualifier") or ""),
        receiver_id=str(receiver.get("id") or ""),
        receiver_qualifier=str(receiver.get("qualifier") or ""),
        control_number=str(body.get("control_number") or ""),
        date=str(body.get("created_at") or "")[:10] or None,
        test=bool(body.get("test")),
    )
    tset = Set(
        set_id=name, control_number=ic.control_number, message_type=f"json.{doc['kind']}", segments=[], document=doc
    )
    ic.groups.append(Group(functional_id="", control_number="", sets=[tset]))
    return ic
