"""Processing runs under ``sudo()``: what a supplier's document names is looked up in the company
of the endpoint it was posted to, never in another company (security probes, issue 11-14 hardening)."""

from datetime import date, timedelta

from odoo.exceptions import UserError

from .flow_common import FlowCase


class TestEdiLookupsStayInTheEndpointsCompany(FlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Other Hospital (probe)"})

    def test_a_ship_notice_does_not_put_goods_in_another_companys_package(self):
        # a package's company is the company of the stock it holds: this one holds the other's
        theirs = self.env["stock.quant.package"].create({"name": "003123459999999991"})
        their_stock = self.env["stock.warehouse"].search([("company_id", "=", self.other.id)], limit=1).lot_stock_id
        self.env["stock.quant"].with_company(self.other)._update_available_quantity(
            self.product, their_stock, 5, package_id=theirs
        )
        self.assertEqual(theirs.company_id, self.other)
        po = self.order()
        heparin = po.order_line.filtered(lambda ln: ln.product_id == self.product)
        msg = self.send(
            {
                "kind": "asn",
                "asn_number": "ASN-PROBE",
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today() + timedelta(days=1)),
                "lines": [
                    {
                        "line_id": heparin.id,
                        "po_number": po.name,
                        "buyer_part": "HEP-5000",
                        "vendor_part": "",
                        "gtin": "",
                        "quantity": "10",
                        "uom": "EA",
                        "lot": None,
                        "expiry": None,
                        "serials": [],
                        "sscc": theirs.name,
                        "udi": None,
                    }
                ],
            }
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        package = po.picking_ids.move_line_ids.result_package_id
        self.assertEqual(package.name, theirs.name)
        self.assertNotEqual(package, theirs, "the other company's package is not used")
        self.assertEqual(theirs.quant_ids.location_id, their_stock, "the other company's package holds only its stock")

    def test_a_substitute_named_by_another_companys_part_number_is_not_offered(self):
        foreign = self.env["product.product"].create(
            {
                "name": "Heparin (other hospital's catalogue)",
                "company_id": self.other.id,
                "seller_ids": [
                    (0, 0, {"partner_id": self.supplier.id, "product_code": "V-OTHER", "company_id": self.other.id})
                ],
            }
        )
        po = self.order()
        heparin = po.order_line.filtered(lambda ln: ln.product_id == self.product)
        entry = {
            "line_id": heparin.id,
            "buyer_part": "HEP-5000",
            "vendor_part": "",
            "gtin": "",
            "status": "substituted",
            "quantity": "10",
            "uom": "EA",
            "price": "12.5",
            "date": str(heparin.date_planned.date()),
            "substitute": {"vendor_part": "V-OTHER", "buyer_part": "", "gtin": "", "description": "Heparin B"},
        }
        msg = self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": f"A-{po.id}",
                "date": "2026-12-01",
                "status": "changed",
                "lines": [entry],
            }
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        exc = self.exceptions(po, "ack_substitution")
        self.assertEqual(len(exc), 1)
        self.assertFalse(exc.hc_edi_payload.get("product_id"), "no product of another company is proposed")
        self.assertNotIn(foreign.name, exc.detail)
        # approving it cannot put the other company's product on this company's order
        with self.assertRaises(UserError), self.env.cr.savepoint():
            exc.with_user(self.approver).action_approve("same molecule")
        self.assertNotIn(foreign, po.order_line.product_id)
