"""Inbound EDI: envelope checks at the door, functional acknowledgments, and the documents.

At the door (``_door_refusal``, called by this module's door controller, which knows the
endpoint) an interchange for an endpoint with a trading partner is refused with 422 when it
cannot be read, when its envelope has problems (counts, control numbers, truncation,
separators) or when its sender is not that partner; then the 997 / 999 / CONTRL of every X12 /
EDIFACT interchange read is queued (accepting or rejecting; a repeated interchange is
acknowledged again and never processed twice). An endpoint without a trading partner keeps the
base door's behaviour; its interchanges are refused in processing (``edi_sender_unknown``).

Processing (``_process``) matches the partner's 997/999/CONTRL to the documents we sent, and
records every other document (855, 856, 810 ...) with its canonical content. What those
business documents do (acknowledgment, receipt, three-way match) is the ``_edi_handle_<kind>``
hooks' business (part 2).
"""

import copy
import hashlib
import logging
import threading
from collections import OrderedDict

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError

from ..lib import errors as edi_errors
from ..lib import interchange as edi_in
from ..lib import outbound as edi_out
from ..lib.model import Problem
from .hc_edi_document import FA_REJECTED, FA_STATUS, norm_control
from .hc_trading_partner import CONTENT_TYPES

_logger = logging.getLogger(__name__)
EDI_PREFIXES = ("x12.", "edifact.", "cxml.", "ubl.")
FA_SETS = {"997", "999", "CONTRL", "TA1"}
KIND_OF_DOCUMENT = {
    "po_ack": "po_ack",
    "asn": "asn",
    "invoice": "invoice",
    "order": "order",
    "order_change": "order_change",
    "functional_ack": "functional_ack",
}
SENDER_UNKNOWN = "edi_sender_unknown"
ENVELOPE_INVALID = "edi_envelope_invalid"
FA_UNMATCHED = "edi_functional_ack_unmatched"
_CACHE = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 16


def read_cached(text, kind=None):
    """The interchange read from ``text`` (the door reads each body a few times: once)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    syntax = {"x12": "x12", "edifact": "edifact"}.get(kind)
    key = (hashlib.sha256(data).hexdigest(), syntax)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    ic = edi_in.read(data, syntax)
    with _CACHE_LOCK:
        _CACHE[key] = ic
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return ic


def errors_of(ic):
    """The problems that refuse an interchange (warnings, e.g. an ISA not fixed-width, do not)."""
    return [p for p in ic.all_problems() if getattr(p, "severity", "error") != "warning"]


def kind_of(message_type):
    if (message_type or "").startswith("x12."):
        return "x12"
    if (message_type or "").startswith("edifact."):
        return "edifact"
    return "xml"


def describe(problem):
    where = [f"segment {problem.segment_tag}" if problem.segment_tag else ""]
    if problem.segment_position:
        where.append(f"#{problem.segment_position}")
    if problem.element_position:
        where.append(f"element {problem.element_position}")
    place = " ".join(w for w in where if w)
    return f"{place + ': ' if place else ''}{problem.message} ({problem.code})"


class HcProcessorEdi(models.AbstractModel):
    _name = "hc.processor.edi"
    _inherit = "hc.message.processor"
    _description = "Processor: procurement EDI (X12, EDIFACT, cXML, UBL)"

    # ------------------------------------------------------------------ the door
    @api.model
    def _validate_document(self, message_type, document, kind):
        """Nothing beyond the base here: what the door checks for EDI depends on the endpoint's
        trading partner (``_door_refusal``, called by this module's door controller). An endpoint
        without a trading partner keeps the base's behaviour: stored, then refused in processing."""
        return []

    @api.model
    def _door_refusal(self, endpoint_id, message_type, payload_text):
        """Why the door refuses this interchange for this endpoint, or None (accept).

        For an endpoint with a trading partner: an interchange that cannot be read, whose
        envelope has problems (counts, control numbers, truncation, separators) or whose sender
        is not that partner. Names segments and positions, never business data."""
        if not (message_type or "").startswith(EDI_PREFIXES) or not isinstance(payload_text, str):
            return None
        partner = self.env["hc.trading.partner"]._for_endpoint(endpoint_id)
        if not partner:
            return None
        try:
            ic = read_cached(payload_text, kind_of(message_type))
        except edi_errors.EdiError as exc:
            return describe(Problem(exc.code, exc.message, exc.segment_tag, exc.segment_position, exc.element_position))
        except Exception as exc:  # whatever the reader trips on, the sender gets a 4xx, never a 500
            _logger.warning(
                "EDI interchange unreadable at the door (endpoint id %s): %s", endpoint_id, type(exc).__name__
            )
            return "The interchange could not be read."
        problems = errors_of(ic)
        if problems:
            return "; ".join(describe(p) for p in problems[:5])
        if not partner._sender_matches(ic):
            field = {"x12": "ISA06", "edifact": "UNB sender", "cxml": "From Credential"}.get(ic.syntax, "sender")
            return f"{field}: the interchange sender is not this endpoint's trading partner."
        if ic.syntax == "cxml" and not partner._cxml_secret_matches(ic):
            return "Sender Credential: the shared secret is not the one agreed with this trading partner."
        return None

    @api.model
    def _acknowledge_at_door(self, endpoint_id, docs, results):
        """Queue a 997 / 999 / CONTRL for each X12 / EDIFACT interchange that came in, accepted or
        not (a rejected one gets a rejecting acknowledgment, a duplicate is acknowledged again)."""
        partner = self.env["hc.trading.partner"]._for_endpoint(endpoint_id)
        if not partner:
            return self.env["hc.edi.document"]
        made = self.env["hc.edi.document"]
        for doc, res in zip(docs, results, strict=False):
            mtype = doc.get("message_type") or ""
            if not mtype.startswith(("x12.", "edifact.")) or not isinstance(doc.get("payload"), str) or not res:
                continue
            try:
                ic = read_cached(doc["payload"], kind_of(mtype))
            except Exception:  # unreadable: the header may still say whom to answer
                try:
                    ic = edi_in.read_envelope(
                        doc["payload"].encode("utf-8"), kind_of(mtype) if mtype.startswith("x12.") else "edifact"
                    )
                except Exception:
                    ic = None
                if ic is None:
                    continue
            if ic.sets and all(s.set_id in FA_SETS for s in ic.sets):
                continue  # acknowledgments are not acknowledged
            if res.get("status") == "rejected" and not errors_of(ic):
                detail = (doc.get("error_detail") or "refused at the door").split(":", 1)[0]
                ic = copy.copy(ic)  # the cached reading stays as read
                ic.problems = [
                    *ic.problems,
                    Problem(
                        "refused",
                        f"refused: {detail}"[:60],
                        "ISA" if ic.syntax == "x12" else "UNB",
                        1,
                        None,
                        "interchange",
                    ),
                ]
            made |= self._queue_functional_ack(partner, ic, res)
        return made

    @api.model
    def _queue_functional_ack(self, partner, ic, res):
        Control = self.env["hc.edi.control"]
        swap = None if partner._sender_matches(ic) else ic
        if ic.syntax == "x12":
            x12_kind = "999" if (ic.version or "").startswith("005") or partner.document_format == "x12_5010" else "997"
            isa, gs = Control._next(partner.id, "isa")[0], Control._next(partner.id, "gs")[0]
            sets = Control._next(partner.id, "st", count=max(1, len(ic.groups)))
            message_type = f"x12.{x12_kind}"
        else:
            x12_kind = "997"
            isa, gs, sets = Control._next(partner.id, "unb")[0], 0, Control._next(partner.id, "unh")
            message_type = "edifact.CONTRL"
        env = partner._edi_envelope(isa, gs, sets, swap_from=swap)
        if ic.syntax == "edifact":
            # the directory of the message acknowledged (Set.version, e.g. D96A), else the partner's
            directory = next((str(t.version or "").lower() for t in ic.sets if getattr(t, "version", "")), "")
            if f"edifact_{directory}" in ("edifact_d96a", "edifact_d01b"):
                env.version = f"edifact_{directory}"
            elif partner.document_format.startswith("edifact"):
                env.version = partner.document_format
            else:
                env.version = "edifact_d96a"
        else:
            env.version = "x12_5010" if x12_kind == "999" else "x12_4010"
        try:
            data = edi_out.render_functional_ack(ic, env, x12_kind=x12_kind)
        except edi_errors.EdiError as exc:
            _logger.warning("Functional acknowledgment not written for trading partner %s: %s", partner.id, exc.code)
            return self.env["hc.edi.document"]
        status = "rejected" if errors_of(ic) else "accepted with errors" if ic.all_problems() else "accepted"
        try:
            outbound = (
                self.env["hc.outbound.message"]
                .sudo()
                .create(
                    {
                        "endpoint_id": partner.endpoint_id.id,
                        "message_type": message_type,
                        "content_type": CONTENT_TYPES[ic.syntax],
                        "payload": data.decode("utf-8"),
                        "res_model": "hc.inbound.message" if res.get("message_id") else False,
                        "res_id": res.get("message_id") or False,
                        "correlation_id": f"fa:{ic.sender_id}:{ic.control_number}"[:128],
                    }
                )
            )
        except Exception as exc:  # no delivery URL: nowhere to send it
            _logger.warning(
                "Functional acknowledgment not queued for trading partner %s: %s", partner.id, type(exc).__name__
            )
            return self.env["hc.edi.document"]
        return (
            self.env["hc.edi.document"]
            .sudo()
            .create(
                {
                    "trading_partner_id": partner.id,
                    "company_id": partner.company_id.id,
                    "direction": "out",
                    "kind": "functional_ack",
                    "message_type": message_type,
                    "document_format": env.version,
                    "outbound_id": outbound.id,
                    "inbound_message_id": res.get("message_id") or False,
                    "interchange_control": str(isa),
                    "group_control": str(gs) if ic.syntax == "x12" else "",
                    "set_controls": ",".join(str(s) for s in sets),
                    "functional_id": "FA" if ic.syntax == "x12" else "",
                    "document_number": norm_control(ic.control_number),
                    "duplicate": bool(res.get("duplicate")),
                    "note": _("Acknowledges interchange %(ctl)s: %(status)s%(dup)s")
                    % {
                        "ctl": ic.control_number,
                        "status": status,
                        "dup": _(" (a duplicate: not processed again)") if res.get("duplicate") else "",
                    },
                }
            )
        )

    # ------------------------------------------------------------------ processing
    @api.model
    def _process(self, messages):
        out = {}
        Document = self.env["hc.edi.document"].sudo()
        partners = {}
        for msg in messages:
            endpoint_id = msg.endpoint_id.id
            if endpoint_id not in partners:
                partners[endpoint_id] = self.env["hc.trading.partner"]._for_endpoint(endpoint_id)
        # ship notices are applied together after the other documents of the batch (see
        # ``_edi_handle_asn_batch``): {message id: [(doc, tset, msg)]}
        deferred = {}
        readable = []  # (msg, partner, interchange) of the messages that can be processed
        for msg in messages:
            partner = partners[msg.endpoint_id.id]
            try:
                ic = read_cached(msg.payload or "", kind_of(msg.message_type))
            except edi_errors.EdiError as exc:
                out[msg.id] = HcBusinessError(ENVELOPE_INVALID, exc.message, cause=f"{ENVELOPE_INVALID}:{msg.id}")
                continue
            except Exception as exc:
                out[msg.id] = HcBusinessError(
                    ENVELOPE_INVALID,
                    f"The interchange could not be read ({type(exc).__name__}).",
                    cause=f"{ENVELOPE_INVALID}:{msg.id}",
                )
                continue
            if not partner or not partner._sender_matches(ic):
                out[msg.id] = HcBusinessError(
                    SENDER_UNKNOWN,
                    _("The interchange sender is not this endpoint's trading partner; it was not processed."),
                    cause=f"{SENDER_UNKNOWN}:{msg.endpoint_id.id}",
                )
                continue
            if errors_of(ic):
                out[msg.id] = HcBusinessError(
                    ENVELOPE_INVALID,
                    "; ".join(describe(p) for p in errors_of(ic)[:3]),
                    cause=f"{ENVELOPE_INVALID}:{msg.id}",
                )
                continue
            readable.append((msg, partner, ic))
        # interchanges of this batch already processed from these partners (a repeat under another
        # key is not processed again): one query for the batch's control numbers, not the history
        seen = set()
        if readable:
            known = Document.search_read(
                [
                    ("direction", "=", "in"),
                    ("trading_partner_id", "in", list({p.id for _m, p, _i in readable})),
                    ("interchange_control", "in", list({norm_control(i.control_number) for _m, _p, i in readable})),
                    ("inbound_message_id", "not in", messages.ids),
                    ("duplicate", "=", False),
                ],
                ["trading_partner_id", "interchange_control"],
            )
            seen = {(row["trading_partner_id"][0], row["interchange_control"]) for row in known}
        for msg, partner, ic in readable:
            ctl = norm_control(ic.control_number)
            if (partner.id, ctl) in seen:
                doc = Document.create(
                    self._inbound_vals(partner, ic, None, None, msg)
                    | {"duplicate": True, "note": _("Duplicate interchange: not processed again.")}
                )
                out[msg.id] = {"result_model": "hc.edi.document", "result_ids": doc.ids}
                continue
            seen.add((partner.id, ctl))
            mine = []
            try:
                out[msg.id] = self._process_interchange(msg, partner, ic, deferred=mine)
            except HcBusinessError as exc:
                out[msg.id] = exc
            if mine and not isinstance(out[msg.id], Exception):
                deferred[msg.id] = mine
        if deferred:
            results = self._edi_handle_asn_batch([item for items in deferred.values() for item in items])
            for msg_id, items in deferred.items():
                # the message's outcome: its first notice that could not be applied, as one by one
                error = next((results.get(doc.id) for doc, _t, _m in items if results.get(doc.id) is not None), None)
                if error is not None:
                    out[msg_id] = error
        return out

    def _inbound_vals(self, partner, ic, group, tset, msg):
        document = tset.document if tset is not None else None
        kind = KIND_OF_DOCUMENT.get((document or {}).get("kind"), "other")
        if tset is not None and tset.set_id in FA_SETS:
            kind = "functional_ack"
        number = ""
        if document:
            number = next(
                (
                    str(document.get(k))
                    for k in ("ack_number", "asn_number", "invoice_number", "name", "po_number")
                    if document.get(k)
                ),
                "",
            )
        return {
            "trading_partner_id": partner.id,
            "company_id": partner.company_id.id,
            "direction": "in",
            "kind": kind,
            "message_type": tset.message_type if tset is not None else msg.message_type,
            "document_format": ic.version or ic.syntax,
            "inbound_message_id": msg.id,
            "interchange_control": norm_control(ic.control_number),
            "group_control": norm_control(group.control_number) if group is not None else "",
            "set_controls": norm_control(tset.control_number) if tset is not None else "",
            "functional_id": group.functional_id if group is not None else "",
            "document_number": number[:64],
            "document_json": document,
        }

    def _process_interchange(self, msg, partner, ic, deferred=None):
        """Record the interchange's documents and apply them; with ``deferred`` (a list), the
        ship notices are appended to it as (doc, tset, msg), to be applied with the batch's."""
        Document = self.env["hc.edi.document"].sudo()
        vals, pairs = [], []
        for group in ic.groups:
            for tset in group.sets:
                vals.append(self._inbound_vals(partner, ic, group, tset, msg))
                pairs.append((group, tset))
        po_numbers = set()
        for v in vals:
            doc = v.get("document_json") or {}
            po_numbers.update(n for n in [doc.get("po_number"), *(doc.get("po_numbers") or [])] if n)
        if po_numbers:
            orders = (
                self.env["purchase.order"]
                .sudo()
                .search([("name", "in", list(po_numbers)), ("company_id", "=", partner.company_id.id)])
            )
            by_name = {o.name: o.id for o in orders}
            for v in vals:
                doc = v.get("document_json") or {}
                names = [doc.get("po_number"), *(doc.get("po_numbers") or [])]
                v["purchase_id"] = next((by_name[n] for n in names if n in by_name), False)
        docs = Document.create(vals)
        outcome = {"result_model": "hc.edi.document", "result_ids": docs.ids}
        fa_docs = docs.filtered(lambda d: d.kind == "functional_ack")
        if fa_docs:
            error = self._match_functional_acks(partner, ic, fa_docs, msg)
            if error:
                return error
        for doc, (_group, tset) in zip(docs, pairs, strict=True):
            if doc.kind == "functional_ack":
                continue
            if doc.kind == "asn" and deferred is not None:
                deferred.append((doc, tset, msg))
                continue
            hook = getattr(self, f"_edi_handle_{doc.kind}", None)
            result = hook(doc, tset, msg) if hook else None
            if isinstance(result, Exception):
                return result
        return outcome

    # hooks for the business documents (part 2 implements them): return None when handled,
    # or an HcBusinessError / HcTechnicalError as the message's outcome
    def _edi_handle_po_ack(self, doc, tset, msg):
        """855 / ORDRSP / ConfirmationRequest / OrderResponse: recorded; applied by part 2."""
        return None

    def _edi_handle_asn(self, doc, tset, msg):
        """856 / DESADV / ShipNoticeRequest / DespatchAdvice: recorded; received by part 2."""
        return None

    def _edi_handle_asn_batch(self, items):
        """The ship notices of a processing batch, [(doc, tset, msg)], applied together:
        ``{doc id: None when applied, or the HcBusinessError / HcTechnicalError}``. Here one by
        one; part 2 reads and writes them for the whole batch at once."""
        return {doc.id: self._edi_handle_asn(doc, tset, msg) for doc, tset, msg in items}

    def _edi_handle_invoice(self, doc, tset, msg):
        """810 / INVOIC / InvoiceDetailRequest / Invoice: recorded; matched by part 2."""
        return None

    def _match_functional_acks(self, partner, ic, fa_docs, msg):
        """Match the partner's 997/999/CONTRL to the documents we sent, by control numbers."""
        try:
            acks = edi_in.read_functional_ack(ic)
        except edi_errors.EdiError as exc:
            return HcBusinessError(ENVELOPE_INVALID, exc.message, cause=f"{ENVELOPE_INVALID}:{msg.id}")
        Document = self.env["hc.edi.document"].sudo()
        sent = Document.search(
            [
                ("trading_partner_id", "=", partner.id),
                ("direction", "=", "out"),
                ("kind", "!=", "functional_ack"),
                ("fa_status", "!=", "none"),
            ]
        )
        by_group = {}
        by_interchange = {}
        for doc in sent:
            if doc.group_control:
                by_group.setdefault(norm_control(doc.group_control), []).append(doc)
            by_interchange.setdefault(norm_control(doc.interchange_control), []).append(doc)
        unmatched = []
        now = fields.Datetime.now()
        for ack in acks:
            group = norm_control(ack.group_control_number)
            if ic.syntax == "x12" or group:
                targets = [
                    d
                    for d in by_group.get(group, [])
                    if not ack.functional_id or not d.functional_id or d.functional_id == ack.functional_id
                ]
            else:
                targets = by_interchange.get(norm_control(ack.interchange_control_number), [])
            if not targets:
                unmatched.append(group or norm_control(ack.interchange_control_number))
                continue
            set_status = {norm_control(s.control_number): s for s in ack.set_acks}
            for doc in targets:
                mine = [
                    set_status[c]
                    for c in (norm_control(x) for x in (doc.set_controls or "").split(","))
                    if c in set_status
                ]
                status = FA_STATUS.get(mine[0].status if mine else ack.status, "accepted_errors")
                errors = [e for s in mine for e in s.errors] or [e for s in ack.set_acks for e in s.errors]
                with trust.privileged():
                    doc.write(
                        {
                            "fa_status": status,
                            "fa_received_at": now,
                            "fa_detail": "; ".join(errors)[:2000] or False,
                            "fa_document_id": fa_docs[:1].id,
                        }
                    )
                fa_docs[:1].write(
                    {
                        "acknowledges_id": doc.id,
                        "purchase_id": fa_docs[:1].purchase_id.id or doc.purchase_id.id,
                        "note": _("Acknowledges %s", doc.display_label)[:250],
                    }
                )
                if status == "rejected":
                    self.env["hc.exception"].sudo()._hc_edi_raise(
                        FA_REJECTED,
                        _(
                            "%(doc)s was rejected by the supplier's EDI system%(why)s.",
                            doc=doc.display_label,
                            why=(": " + "; ".join(errors)[:300]) if errors else "",
                        ),
                        cause=f"{FA_REJECTED}:{doc.id}",
                        endpoint=partner.endpoint_id,
                        record=("purchase.order", doc.purchase_id.id)
                        if doc.purchase_id
                        else ("hc.edi.document", doc.id),
                        severity="high",
                    )
        if unmatched:
            return HcBusinessError(
                FA_UNMATCHED,
                _(
                    "The acknowledgment names control number(s) %s that we never sent to this partner.",
                    ", ".join(unmatched[:5]),
                ),
                cause=f"{FA_UNMATCHED}:{partner.id}",
            )
        return None
