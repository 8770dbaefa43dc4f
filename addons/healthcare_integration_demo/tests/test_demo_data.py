"""The demo records the suite's tests and the README examples rely on."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

MODULE = "healthcare_integration_demo"
LOT_TRACKED_CODES = (
    "NS-1000", "GLV-NIT-M", "SYR-10", "CATH-IV-20G", "GAUZE-10", "HEP-5000",
    "AMOX-500", "PARA-1G", "INS-RAP", "SUT-3-0", "MASK-N95", "ELEC-ECG",
)  # fmt: skip


def gtin_is_valid(code):
    """GS1 mod-10 check digit of a GTIN-8/12/13/14."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(code[:-1])))
    return (10 - total % 10) % 10 == int(code[-1])


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def demo(self, xmlid):
        return self.env.ref(f"{MODULE}.{xmlid}")

    def lots(self, product):
        return self.env["stock.lot"].search([("product_id", "=", product.id)])

    def on_hand(self, lot, location):
        quants = self.env["stock.quant"].search([("lot_id", "=", lot.id), ("location_id", "=", location.id)])
        return sum(quants.mapped("quantity"))

    def test_company_and_facilities(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "General Hospital Group")
        genhosp = self.demo("warehouse_genhosp")
        nclin = self.demo("warehouse_nclin")
        self.assertEqual((genhosp.name, genhosp.code), ("General Hospital", "GENHO"))
        self.assertEqual((nclin.name, nclin.code), ("North Clinic", "NCLIN"))
        self.assertEqual(genhosp.company_id, company)
        self.assertEqual(nclin.company_id, company)
        self.assertEqual(genhosp.partner_id.ref, "GENHOSP")
        self.assertEqual(nclin.partner_id.ref, "NCLIN")

    def test_locations_by_barcode(self):
        Location = self.env["stock.location"]
        genhosp_stock = self.demo("warehouse_genhosp").lot_stock_id
        nclin_stock = self.demo("warehouse_nclin").lot_stock_id
        expected = {
            "ICU-CAB-07": ("location_icu_cab_07", genhosp_stock),
            "OR-STORE-1": ("location_or_store_1", genhosp_stock),
            "PHARM-MAIN": ("location_pharm_main", genhosp_stock),
            "DOCK-1": ("location_dock_1", genhosp_stock),
            "NCLIN-STORE": ("location_nclin_store", nclin_stock),
        }
        for barcode, (xmlid, parent) in expected.items():
            location = Location.search([("barcode", "=", barcode)])
            self.assertEqual(location, self.demo(xmlid), barcode)
            self.assertEqual(location.usage, "internal")
            self.assertEqual(location.location_id, parent)

    def test_units(self):
        ml = self.demo("uom_ml")
        litre = self.env.ref("uom.product_uom_litre")
        self.assertAlmostEqual(ml._compute_quantity(1000, litre), 1.0)
        box = self.demo("uom_box_10")
        unit = self.env.ref("uom.product_uom_unit")
        self.assertAlmostEqual(box._compute_quantity(1, unit), 10.0)
        self.assertEqual(self.demo("product_ins_rap").uom_id, ml)
        self.assertEqual(self.demo("product_cath_iv_20g").uom_po_id, box)

    def test_contract_example_ns_1000(self):
        product = self.env["product.product"].search([("default_code", "=", "NS-1000")])
        self.assertEqual(product, self.demo("product_ns_1000"))
        self.assertEqual(product.barcode, "5012345678900")
        self.assertEqual(product.tracking, "lot")
        self.assertTrue(product.is_storable)
        self.assertTrue(product.use_expiration_date)
        lot = self.env["stock.lot"].search([("product_id", "=", product.id), ("name", "=", "L2411A")])
        self.assertEqual(lot, self.demo("lot_l2411a"))
        self.assertEqual(lot.expiration_date.date(), fields.Date.to_date("2027-05-31"))
        self.assertGreater(self.on_hand(lot, self.demo("location_icu_cab_07")), 0)
        self.assertGreater(lot.product_qty, 0)

    def test_lot_tracked_products(self):
        products = self.env["product.product"].search([("default_code", "in", LOT_TRACKED_CODES)])
        self.assertEqual(len(products), 12)
        for product in products:
            self.assertEqual(product.tracking, "lot", product.default_code)
            self.assertTrue(product.is_storable, product.default_code)
            self.assertTrue(product.use_expiration_date, product.default_code)
            self.assertTrue(gtin_is_valid(product.barcode), product.default_code)
            self.assertTrue(self.lots(product), product.default_code)
            self.assertGreater(product.qty_available, 0, product.default_code)

    def test_every_lot_is_on_hand_in_a_genhosp_location(self):
        locations = (
            self.demo("location_icu_cab_07") | self.demo("location_or_store_1") | self.demo("location_pharm_main")
        )
        lots = self.env["stock.lot"].search(
            [("product_id.product_tmpl_id.categ_id", "child_of", self.demo("product_category_medical").id)]
        )
        self.assertEqual(len(lots), 17)
        for lot in lots:
            quantity = sum(self.on_hand(lot, location) for location in locations)
            self.assertGreater(quantity, 0, lot.name)
            self.assertTrue(lot.expiration_date, lot.name)

    def test_expired_lot(self):
        lot = self.demo("lot_hep_exp_01")
        self.assertEqual(lot.name, "HEP-EXP-01")
        self.assertEqual(lot.product_id, self.demo("product_hep_5000"))
        self.assertLess(lot.expiration_date, fields.Datetime.now())
        self.assertTrue(lot.product_expiry_alert)
        self.assertGreater(self.on_hand(lot, self.demo("location_icu_cab_07")), 0)

    def test_lot_expiring_soon(self):
        lot = self.demo("lot_amox_soon_01")
        self.assertEqual(lot.name, "AMOX-SOON-01")
        now = fields.Datetime.now()
        self.assertGreater(lot.expiration_date, now)
        self.assertLessEqual(lot.expiration_date, now + timedelta(days=30))
        self.assertFalse(lot.product_expiry_alert)
        self.assertGreater(lot.product_qty, 0)

    def test_serial_tracked_implant(self):
        implant = self.env["product.product"].search([("default_code", "=", "IMP-HIP-52")])
        self.assertEqual(implant, self.demo("product_imp_hip_52"))
        self.assertEqual(implant.tracking, "serial")
        self.assertTrue(gtin_is_valid(implant.barcode))
        serials = self.demo("serial_ihc52_0001") | self.demo("serial_ihc52_0002")
        self.assertEqual(self.lots(implant), serials)
        store = self.demo("location_or_store_1")
        for serial in serials:
            self.assertEqual(self.on_hand(serial, store), 1.0, serial.name)
        self.assertEqual(implant.with_context(location=store.id).qty_available, 2.0)

    def test_suppliers(self):
        for xmlid, name in (
            ("partner_medsupply", "MedSupply Europe GmbH"),
            ("partner_cardinal", "Cardinal Surgical Supplies"),
        ):
            partner = self.demo(xmlid)
            self.assertEqual(partner.name, name)
            self.assertTrue(partner.is_company)
            self.assertGreaterEqual(partner.supplier_rank, 1)
            self.assertTrue(self.env["product.supplierinfo"].search_count([("partner_id", "=", partner.id)]))
        gloves = self.demo("product_glv_nit_m")
        self.assertEqual(gloves.seller_ids.partner_id, self.demo("partner_medsupply") | self.demo("partner_cardinal"))
        self.assertEqual(gloves._select_seller(quantity=100).partner_id, self.demo("partner_medsupply"))


@tagged("post_install", "-at_install")
class TestDemoDataUpdate(TransactionCase):
    def test_module_update_keeps_approval_limits_an_admin_changed(self):
        """Loading the workforce seed file again, as `-u` does, neither creates the roles'
        limits a second time (it used to fail on the unique limit per role and currency) nor
        resets what an admin changed."""
        from odoo.tools import convert_file

        lead = self.env.ref(f"{MODULE}.role_ward_lead")
        usd = lead.limit_ids.filtered(lambda lim: lim.currency_id == self.env.ref("base.USD"))
        usd.amount = 3500
        budget = self.env.ref(f"{MODULE}.budget_icu")
        budget.amount = 12000
        convert_file(self.env, MODULE, "data/hc_requisition_data.xml", {}, mode="update", noupdate=False)
        self.env.invalidate_all()
        self.assertEqual(len(lead.limit_ids), 2)
        self.assertEqual(usd.amount, 3500)
        self.assertEqual(budget.amount, 12000)
