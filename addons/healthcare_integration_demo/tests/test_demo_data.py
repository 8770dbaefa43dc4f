from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase


class TestDemoData(TransactionCase):
    def test_locations_products_lots_and_stock(self):
        Location = self.env["stock.location"]
        codes = ["ICU-CAB-07", "OR-STORE-1", "PHARM-MAIN", "DOCK-1", "NCLIN-STORE"]
        self.assertEqual(sorted(Location.search([("barcode", "in", codes)]).mapped("barcode")), sorted(codes))
        ns = self.env["product.product"].search([("default_code", "=", "NS-1000")])
        self.assertEqual((ns.barcode, ns.tracking, ns.is_storable), ("5012345678900", "lot", True))
        lot = self.env["stock.lot"].search([("name", "=", "L2411A"), ("product_id", "=", ns.id)])
        self.assertEqual(fields.Date.to_date(lot.expiration_date), fields.Date.to_date("2027-05-31"))
        icu = Location.search([("barcode", "=", "ICU-CAB-07")])
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(ns, icu, lot_id=lot), 40)
        lot_tracked = self.env["product.product"].search([("default_code", "!=", False), ("tracking", "=", "lot"),
                                                           ("categ_id.name", "=", "Medical Supplies")])
        self.assertEqual(len(lot_tracked), 12)
        self.assertTrue(all(p.barcode and p.use_expiration_date for p in lot_tracked))

    def test_expired_soon_and_serials(self):
        now = fields.Datetime.now()
        expired = self.env["stock.lot"].search([("name", "=", "HEP-EXP-01")])
        self.assertLess(expired.expiration_date, now)
        self.assertGreater(expired.product_qty, 0, "the expired lot is on hand, so consuming it can be tried")
        soon = self.env["stock.lot"].search([("name", "=", "AMOX-SOON-01")])
        self.assertTrue(now < soon.expiration_date < now + timedelta(days=30))
        implant = self.env["product.product"].search([("default_code", "=", "IMP-HIP-52")])
        self.assertEqual(implant.tracking, "serial")
        self.assertEqual(implant.qty_available, 2)
        suppliers = self.env["res.partner"].search([("supplier_rank", ">", 0), ("name", "in", [
            "MedSupply Europe GmbH", "Cardinal Surgical Supplies"])])
        self.assertEqual(len(suppliers), 2)
