"""Writing documents: purchase orders, changes and functional acknowledgments."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from . import edifact, jsondoc, x12, x12_docs, xmldoc
from .errors import EdiError
from .model import Group

__all__ = ["EdiError", "Envelope", "render_document", "render_functional_ack", "render_order", "render_order_change"]

VERSIONS = ("x12_4010", "x12_5010", "edifact_d96a", "edifact_d01b", "cxml", "ubl", "json")


@dataclass
class Envelope:
    sender_id: str
    sender_qualifier: str
    receiver_id: str
    receiver_qualifier: str
    interchange_control_number: int
    group_control_number: int
    set_control_numbers: list = field(default_factory=list)
    test: bool = False
    sender_app: str | None = None
    receiver_app: str | None = None
    version: str = "x12_4010"
    when: datetime | None = None


def _when(env):
    when = env.when or datetime.now(timezone.utc)
    return when


def _check(env, fmt):
    if fmt not in VERSIONS:
        raise EdiError("unsupported_version", "The document format is not supported.")
    if env.when is None:
        env = replace(env, when=datetime.now(timezone.utc))
    if fmt.startswith("x12") or fmt.startswith("edifact"):
        env = replace(env, version=fmt)
    return env


def render_order(fmt: str, po: dict, env: Envelope, *, shared_secret: str | None = None) -> bytes:
    """A purchase order in ``fmt`` (850 / ORDERS / cXML OrderRequest new / UBL Order / JSON)."""
    env = _check(env, fmt)
    if fmt.startswith("x12"):
        return x12.render_interchange(env, [("PO", [("850", x12_docs.order_850(po))])])
    if fmt.startswith("edifact"):
        return edifact.render_interchange(env, [("ORDERS", edifact.orders_body(po, env))])
    if fmt == "cxml":
        return xmldoc.render_order_request(po, env, shared_secret=shared_secret, operation="new")
    if fmt == "ubl":
        return xmldoc.render_ubl_order(po, env)
    return jsondoc.render({"kind": "order", **po}, env)


def render_order_change(
    fmt: str, po: dict, env: Envelope, *, kind: str = "change", shared_secret: str | None = None
) -> bytes:
    """A change or cancel of a sent order (860 / ORDCHG / cXML OrderRequest update|delete / JSON)."""
    if kind not in ("change", "cancel"):
        raise EdiError("bad_argument", "kind is 'change' or 'cancel'.")
    env = _check(env, fmt)
    if fmt.startswith("x12"):
        return x12.render_interchange(env, [("PC", [("860", x12_docs.order_860(po, kind))])])
    if fmt.startswith("edifact"):
        return edifact.render_interchange(env, [("ORDCHG", edifact.ordchg_body(po, env, kind))])
    if fmt == "cxml":
        return xmldoc.render_order_request(
            po, env, shared_secret=shared_secret, operation="delete" if kind == "cancel" else "update"
        )
    if fmt == "ubl":
        raise EdiError("unsupported_document", "UBL has no order change in Peppol BIS Ordering; send a new order.")
    return jsondoc.render({"kind": "order_change", "change": kind, **po}, env)


def render_functional_ack(ic, env: Envelope, *, x12_kind: str = "997") -> bytes:
    """997/999 (one per received group) or CONTRL (one per interchange) for ``ic``.

    ``env`` carries our identifiers as sender (the caller swaps them); statuses come from the
    problems recorded on ``ic`` (errors reject, warnings accept with errors noted).
    """
    if env.when is None:
        env = replace(env, when=datetime.now(timezone.utc))
    if ic.syntax == "x12":
        if x12_kind not in ("997", "999"):
            raise EdiError("bad_argument", "x12_kind is '997' or '999'.")
        if x12_kind == "999":
            version = "x12_5010"
        else:
            version = env.version if env.version in x12.VERSIONS else "x12_4010"
        env = replace(env, version=version)
        sets = []
        for group in ic.groups:
            impl = "005010X231A1" if x12_kind == "999" else None
            entry = (x12_kind, x12_docs.fa_body(ic, group, x12_kind))
            sets.append(entry + ((impl,) if impl else ()))
        if not sets:
            empty = Group(functional_id="", control_number="")
            sets.append((x12_kind, x12_docs.fa_body(ic, empty, x12_kind)))
        # one group holding one 997/999 per received group
        return x12.render_interchange(env, [("FA", sets)])
    if ic.syntax == "edifact":
        version = env.version if env.version in edifact.VERSIONS else "edifact_d96a"
        env = replace(env, version=version)
        return edifact.render_interchange(env, [("CONTRL", edifact.contrl_body(ic, env))])
    raise EdiError("unsupported_document", "Functional acknowledgments exist for X12 and EDIFACT only.")


X12_DOCUMENTS = {
    "po_ack": ("PR", "855", x12_docs.ack_855),
    "asn": ("SH", "856", x12_docs.asn_856),
    "invoice": ("IN", "810", x12_docs.invoice_810),
}
EDIFACT_DOCUMENTS = {
    "po_ack": ("ORDRSP", edifact.ordrsp_body),
    "asn": ("DESADV", edifact.desadv_body),
    "invoice": ("INVOIC", edifact.invoic_body),
}


CXML_DOCUMENTS = {
    "po_ack": xmldoc.render_confirmation_request,
    "asn": xmldoc.render_ship_notice_request,
    "invoice": xmldoc.render_invoice_detail_request,
}


UBL_DOCUMENTS = {
    "po_ack": xmldoc.render_ubl_order_response,
    "asn": xmldoc.render_ubl_despatch_advice,
    "invoice": xmldoc.render_ubl_invoice,
}


def render_document(fmt: str, doc: dict, env: Envelope, *, shared_secret: str | None = None) -> bytes:
    """A supplier-side document from a canonical ``po_ack``/``asn``/``invoice`` dict.

    For partner simulators and tests (X12 855/856/810, EDIFACT ORDRSP/DESADV/INVOIC, cXML ConfirmationRequest/
    ShipNoticeRequest/InvoiceDetailRequest, UBL OrderResponse/DespatchAdvice/Invoice, JSON);
    what it writes reads back through :func:`interchange.read` to the same document.
    """
    env = _check(env, fmt)
    kind = doc.get("kind")
    if fmt.startswith("x12") and kind in X12_DOCUMENTS:
        functional_id, set_id, body = X12_DOCUMENTS[kind]
        return x12.render_interchange(env, [(functional_id, [(set_id, body(doc))])])
    if fmt.startswith("edifact") and kind in EDIFACT_DOCUMENTS:
        set_id, body = EDIFACT_DOCUMENTS[kind]
        return edifact.render_interchange(env, [(set_id, body(doc, env))])
    if fmt == "cxml" and kind in CXML_DOCUMENTS:
        return CXML_DOCUMENTS[kind](doc, env, shared_secret=shared_secret)
    if fmt == "ubl" and kind in UBL_DOCUMENTS:
        return UBL_DOCUMENTS[kind](doc, env)
    if fmt == "json" and kind in ("po_ack", "asn", "invoice"):
        return jsondoc.render(doc, env)
    raise EdiError("unsupported_document", "This document kind cannot be written in this format.")
