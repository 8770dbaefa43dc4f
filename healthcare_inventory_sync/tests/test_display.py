"""Stock facts in words and units: expiry in days, units of measure, currency."""

from datetime import timedelta

from odoo import fields

from ..models.hc_expiry_risk_display import expiry_words
from .test_inventory_events import InventoryCase


class TestDisplay(InventoryCase):
    def test_expiry_in_words(self):
        self.assertEqual(expiry_words(-669), "expired 669 days ago")
        self.assertEqual(expiry_words(-1), "expired yesterday")
        self.assertEqual(expiry_words(0), "expires today")
        self.assertEqual(expiry_words(20), "expires in 20 days")

    def test_expiry_risk_shows_a_date_a_sentence_a_unit_and_a_currency(self):
        soon = self.lot_expiring_soon()
        self.env.flush_all()
        risk = self.env["hc.expiry.risk"].search([("lot_id", "=", soon.id)])
        self.assertEqual(risk.expiry_date, (fields.Datetime.now() + timedelta(days=20)).date())
        self.assertEqual(risk.expiry_status, "expires in 20 days")
        self.assertEqual(risk.product_uom_id, self.saline.uom_id)
        self.assertEqual(risk.currency_id, self.company.currency_id)
        expired = self.env["hc.expiry.risk"].search([("lot_id", "=", self.expired.id)])
        self.assertRegex(expired.expiry_status, r"^expired \d+ days ago$")

    def test_lot_expired_reads_as_expired_lot(self):
        msg = self.send(self.event(lot="TL-OLD", expiry="2025-01-31", quantity=1))
        self.assertEqual(msg.exception_id.code, "lot_expired")
        self.assertEqual(msg.exception_id.code_label, "Expired lot")
        self.assertTrue(msg.exception_id.name.startswith("Expired lot: "))
