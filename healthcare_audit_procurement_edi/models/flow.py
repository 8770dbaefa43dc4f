"""Every step of an order's EDI flow lands on the audit trail under the order's correlation id.

The correlation id of an order's flow is ``po:<order name>`` (``correlation_of`` in
``healthcare_procurement_edi``): the processing of the supplier's acknowledgment, ship notice and
invoice already runs attributed to it. This module attributes the steps people and Odoo take
around them to the same id:

- confirming, cancelling and billing the order (PO out: the order's state, the receipt Odoo
  creates, the EDI document and its delivery, which also keeps its own delivery id);
- validating the receipt (whoever does it, however long after the ship notice);
- posting or cancelling the bill, and deciding the flow's exceptions;
- each inbound interchange is also attributed to its own message (``message_id``), so a message
  in a batch is still named by the changes it made.

The id is computed here from the records (never read from the context, which any RPC caller
sets); the interface and the user stay what they are (a person in the web client, the EDI
endpoint's webhook), so the trail tells who did each step. Vendor bills and their lines are
recorded at creation (the rules on ``account.move`` do not record the creation of every journal
entry). Nothing here queries per record: the orders of a batch are read with the batch.
"""

from contextlib import contextmanager

from odoo import api, models
from odoo.addons.healthcare_audit.models.hc_audit_rule import _rule
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_procurement_edi.models.hc_edi_flow import correlation_of

MAX_CORRELATION = 1000
BILL_TYPES = ("in_invoice", "in_refund")


@contextmanager
def order_attribution(orders):
    """Attribute the changes made inside the block to the orders' correlation ids, added to the
    correlation the enclosing block already carries (an inbound message's, a requisition's)."""
    ids = sorted({correlation_of(order) for order in orders if order})
    if not ids:
        yield
        return
    outer = trust.attribution()
    if outer.get("correlation_id"):
        before = outer["correlation_id"].split()
    else:
        before = sorted({v for v in (outer.get("correlation_ids") or {}).values() if v})
    joined = " ".join(dict.fromkeys([*before, *ids]))
    if len(joined) > MAX_CORRELATION:  # many orders at once: the orders' ids first
        joined = " ".join(dict.fromkeys([*ids, *before]))[:MAX_CORRELATION].rsplit(" ", 1)[0]
    with trust.attributed(correlation_id=joined):
        yield


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def button_confirm(self):
        with order_attribution(self):
            return super().button_confirm()

    def button_approve(self, force=False):
        with order_attribution(self):
            return super().button_approve(force=force)

    def button_cancel(self):
        with order_attribution(self):
            return super().button_cancel()

    def action_create_invoice(self):
        with order_attribution(self):
            return super().action_create_invoice()

    def _edi_send(self, kind, partner):
        with order_attribution(self):
            doc = super()._edi_send(kind, partner)
            outbound = doc.outbound_id.sudo() if doc else None
            if outbound:
                # PO out: the delivery queued for the supplier, findable by its own id too
                self.env["hc.audit.event"].sudo()._log(
                    [
                        {
                            "action": "create",
                            "model": outbound._name,
                            "res_id": outbound.id,
                            "res_name": f"{outbound.message_type} {self.name}",
                            "reason": f"{doc.display_label} queued for delivery",
                            "changes": {
                                "message_type": {"old": None, "new": outbound.message_type},
                                "correlation_id": {"old": None, "new": outbound.correlation_id},
                                "state": {"old": None, "new": outbound.state},
                                "purchase_id": {"old": None, "new": [self.id, self.name]},
                            },
                            "correlation_id": " ".join(
                                filter(None, [trust.attribution().get("correlation_id"), outbound.correlation_id])
                            ),
                        }
                    ]
                )
        return doc


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _hc_orders(self):
        return self.sudo().move_ids.purchase_line_id.order_id

    def button_validate(self):
        with order_attribution(self._hc_orders()):
            return super().button_validate()

    def _action_done(self):
        with order_attribution(self._hc_orders()):
            return super()._action_done()


class AccountMove(models.Model):
    _inherit = "account.move"

    def _hc_orders(self):
        return self.sudo().invoice_line_ids.purchase_line_id.order_id

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        bills = moves.filtered(lambda m: m.move_type in BILL_TYPES)
        if bills:
            bills._hc_audit_created()
        return moves

    def _hc_audit_created(self):
        """The creation of vendor bills and their product lines, one insert each."""
        Rule = self.env["hc.audit.rule"]
        with order_attribution(self._hc_orders()):
            rule = _rule(self)
            if rule:
                Rule._audit_create(self, rule)
            lines = self.sudo().invoice_line_ids
            line_rule = _rule(lines)
            if lines and line_rule:
                Rule._audit_create(lines, line_rule)

    def _post(self, soft=True):
        with order_attribution(self._hc_orders()):
            return super()._post(soft)

    def button_cancel(self):
        with order_attribution(self._hc_orders()):
            return super().button_cancel()

    def button_draft(self):
        with order_attribution(self._hc_orders()):
            return super().button_draft()


class HcException(models.Model):
    _inherit = "hc.exception"

    def _hc_orders(self):
        """The orders the exceptions are about (read per model, not per exception)."""
        Order = self.env["purchase.order"].sudo()
        orders = Order.browse()
        by_model = {}
        for exc in self.sudo():
            if exc.res_model and exc.res_id:
                by_model.setdefault(exc.res_model, set()).add(exc.res_id)
        for model, ids in by_model.items():
            if model not in self.env:
                continue
            records = self.env[model].sudo().browse(list(ids)).exists()
            if model == "purchase.order":
                orders |= records
            elif model == "purchase.order.line":
                orders |= records.order_id
            elif model == "stock.picking":
                orders |= records.move_ids.purchase_line_id.order_id
            elif model == "account.move":
                orders |= records.invoice_line_ids.purchase_line_id.order_id
            elif model == "hc.edi.document":
                orders |= records.purchase_id
        return orders

    def action_approve(self, reason):
        with order_attribution(self._hc_orders()):
            return super().action_approve(reason)

    def action_reject(self, reason):
        with order_attribution(self._hc_orders()):
            return super().action_reject(reason)


class HcProcessorEdi(models.AbstractModel):
    _inherit = "hc.processor.edi"

    def _process_interchange(self, msg, partner, ic, **kwargs):
        """Each interchange's changes name its message, also when it is processed in a batch
        (the ship notices the batch applies together name theirs entry by entry)."""
        with trust.attributed(message_id=msg.id, correlation_id=msg.correlation_id or None):
            return super()._process_interchange(msg, partner, ic, **kwargs)
