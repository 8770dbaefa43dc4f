"""The business hooks of ``hc.processor.edi``: acknowledgments, ship notices and invoices applied."""

import logging

from odoo import _, models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError
from odoo.exceptions import UserError, ValidationError

from .hc_edi_flow import TEAM_PROCUREMENT

_logger = logging.getLogger(__name__)
NOT_APPLIED = "edi_document_not_applied"
# ship notices prefilled together (see _edi_handle_asn_batch); 20-line notices: 2,000 move lines
ASN_BATCH_SIZE = 100


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
        """All the ship notices of the batch prefilled together, by chunks of
        ``healthcare_procurement_edi.asn_batch_size`` (default 100) notices: a few queries per
        chunk, not a few per notice. If a rule of Odoo refuses a change, nothing of the chunk's
        notices stays and they are applied one by one, each in its savepoint: one bad notice only
        fails its own message (and only its chunk is applied the slow way)."""
        param = self.env["ir.config_parameter"].sudo().get_param("healthcare_procurement_edi.asn_batch_size")
        try:
            size = max(1, int(param or ASN_BATCH_SIZE))
        except ValueError:
            size = ASN_BATCH_SIZE
        out = {}
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            docs = self.env["hc.edi.document"].sudo().browse([doc.id for doc, _t, _m in chunk])
            try:
                with self.env.cr.savepoint():
                    out.update(self.env["stock.picking"]._hc_apply_asn_batch(docs))
                continue
            except (UserError, ValidationError):
                _logger.info("Ship notices applied one by one: a chunk of %s was refused", len(docs), exc_info=True)
            out.update({doc.id: self._edi_handle_asn(doc, tset, msg) for doc, tset, msg in chunk})
        return out

    def _edi_handle_invoice(self, doc, tset, msg):
        result = super()._edi_handle_invoice(doc, tset, msg)
        if result is not None:
            return result
        return self._edi_apply(doc, self.env["account.move"]._hc_bill_from_invoice)
