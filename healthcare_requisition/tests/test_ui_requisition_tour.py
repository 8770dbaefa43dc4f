"""A department approver approves a requisition from her activity, in the browser (Chromium)."""

from odoo.tests import HttpCase, tagged

from .test_requisition import RequisitionSetup, message


@tagged("post_install", "-at_install")
class TestRequisitionApproverTour(HttpCase, RequisitionSetup):
    def test_department_approver_approves_from_the_activity(self):
        self.u_dir.write({"password": "t_dir_tour", "email": "t_dir@example.com"})
        req = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-PUMP"}, "quantity": 2}]))))
        self.assertEqual((req.state, req.approver_id), ("waiting_approval", self.u_dir))
        for name in ("web.assets_web", "web.assets_tests"):
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
            bundle.css()
        self.start_tour("/odoo", "hc_requisition_approver_activity", login="t_dir", timeout=300)
        req.invalidate_recordset()
        self.assertEqual(req.state, "ordered")
        self.assertEqual(req.decided_by_id, self.u_dir)
        self.assertEqual(req.decision_reason, "Pump replacement agreed with the ward")
        self.assertTrue(req.line_ids.purchase_line_id)
        self.assertFalse(req.activity_ids)
