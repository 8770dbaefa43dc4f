"""A lot shared by every company (no company on it): its quarantine and release are told to the
subscribers of the acting user's company only, not to every company's systems."""

import json

from odoo.tests import TransactionCase, new_test_user


class TestLotEventCompany(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.home = cls.env.company
        cls.other = cls.env["res.company"].create({"name": "Other Hospital"})
        Endpoint = cls.env["hc.endpoint"]
        cls.home_cabinet = Endpoint.create(
            {"name": "Home cabinets", "code": "lot-co-home", "outbound_url": "https://home.example.com/hook"}
        )
        cls.other_cabinet = Endpoint.create(
            {
                "name": "Other cabinets",
                "code": "lot-co-other",
                "company_id": cls.other.id,
                "outbound_url": "https://other.example.com/hook",
            }
        )
        for endpoint in (cls.home_cabinet, cls.other_cabinet):
            cls.env["hc.event.subscription"].create({"endpoint_id": endpoint.id, "event_type": "lot.*"})
        product = cls.env["product.product"].create(
            {"name": "Shared heparin", "is_storable": True, "tracking": "lot", "company_id": False}
        )
        cls.lot = cls.env["stock.lot"].create({"name": "SHARED-1", "product_id": product.id, "company_id": False})
        groups = "stock.group_stock_user,healthcare_integration_base.group_hc_approver"
        cls.quarantiner = new_test_user(cls.env, "hc_lot_co_q", groups=groups)
        cls.releaser = new_test_user(cls.env, "hc_lot_co_r", groups=groups)

    def sent(self, event_type):
        return self.env["hc.outbound.message"].search(
            [("message_type", "=", event_type), ("res_model", "=", "stock.lot"), ("res_id", "=", self.lot.id)]
        )

    def test_a_shared_lots_quarantine_reaches_the_users_company_only(self):
        self.assertFalse(self.lot.company_id)
        self.lot.with_user(self.quarantiner).action_hc_quarantine("Recall R-1")
        self.assertTrue(self.lot.hc_quarantined)
        sent = self.sent("lot.quarantined")
        self.assertEqual(sent.endpoint_id, self.home_cabinet)
        self.assertEqual(json.loads(sent.payload)["data"]["lot"], "SHARED-1")
        self.lot.with_user(self.releaser).action_hc_release("Recall withdrawn")
        self.assertEqual(self.sent("lot.released").endpoint_id, self.home_cabinet)

    def test_a_companys_lot_still_goes_to_its_company(self):
        lot = self.env["stock.lot"].create(
            {"name": "OTHER-1", "product_id": self.lot.product_id.id, "company_id": self.other.id}
        )
        user = new_test_user(
            self.env,
            "hc_lot_co_other",
            groups="stock.group_stock_user",
            company_id=self.other.id,
            company_ids=[(6, 0, [self.other.id])],
        )
        lot.with_user(user).action_hc_quarantine("Damaged batch")
        sent = self.env["hc.outbound.message"].search([("res_model", "=", "stock.lot"), ("res_id", "=", lot.id)])
        self.assertEqual(sent.endpoint_id, self.other_cabinet)
