"""The business hooks of ``hc.processor.edi``: acknowledgments, ship notices and invoices applied."""

import logging

from odoo import _, models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError
from odoo.exceptions import UserError, ValidationError

from .hc_edi_flow import TEAM_PROCUREMENT

_logger = logging.getLogger(__name__)
NOT_APPLIED = "edi_document_not_applied"


class HcProcessorEdiFlow(models.AbstractModel):
    _inherit = "hc.processor.edi"

    def _edi_apply(self, doc, apply):
        """Run ``apply(doc)`` in a savepoint: a rule of Odoo that refuses the change (a quantity
        below what was received ...) makes the document wait for a person, not the batch fail."""
        try:
            with self.env.cr.savepoint():
                return apply(doc)
        except (UserError, ValidationError) as exc:
            return HcBusinessError(
                NOT_APPLIED,
                _("%(doc)s could not be applied: %(why)s", doc=doc.display_label, why=exc.args[0] if exc.args else exc),
                cause=f"{NOT_APPLIED}:{doc.id}",
                record=("hc.edi.document", doc.id),
                team_xmlid=TEAM_PROCUREMENT,
            )

    def _edi_handle_po_ack(self, doc, tset, msg):
        result = super()._edi_handle_po_ack(doc, tset, msg)
        if result is not None:
            return result
        return self._edi_apply(doc, self.env["purchase.order"]._hc_apply_ack)

    def _edi_handle_asn(self, doc, tset, msg):
        result = super()._edi_handle_asn(doc, tset, msg)
        if result is not None:
            return result
        return self._edi_apply(doc, self.env["stock.picking"]._hc_apply_asn)

    def _edi_handle_asn_batch(self, items):
        """All the ship notices of the batch prefilled at once (a few queries for the batch, not a
        few per notice). If a rule of Odoo refuses a change, nothing of the batch's notices stays
        and they are applied one by one, each in its savepoint: one bad notice only fails its own
        message."""
        docs = self.env["hc.edi.document"].sudo().browse([doc.id for doc, _t, _m in items])
        try:
            with self.env.cr.savepoint():
                return self.env["stock.picking"]._hc_apply_asn_batch(docs)
        except (UserError, ValidationError):
            _logger.info("Ship notices applied one by one: the batch of %s was refused", len(docs), exc_info=True)
        return {doc.id: self._edi_handle_asn(doc, tset, msg) for doc, tset, msg in items}

    def _edi_handle_invoice(self, doc, tset, msg):
        result = super()._edi_handle_invoice(doc, tset, msg)
        if result is not None:
            return result
        return self._edi_apply(doc, self.env["account.move"]._hc_bill_from_invoice)
