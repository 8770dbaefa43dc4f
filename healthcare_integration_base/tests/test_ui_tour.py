"""An Exception Approver approves an exception in the browser (Chromium, Odoo's HttpCase)."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import HcCase, doc


@tagged("post_install", "-at_install")
class TestExceptionApprovalTour(HttpCase, HcCase):
    def test_approver_approves_in_the_backend(self):
        new_test_user(
            self.env,
            "hc_tour_approver",
            password="hc_tour_approver",
            groups="base.group_user,healthcare_integration_base.group_hc_approver",
        )
        mid = self.ingest([doc("tour-1", {"outcome": "business:lot_expired"})])[0]["message_id"]
        self.process()
        msg = self.env["hc.inbound.message"].browse(mid)
        self.assertEqual(msg.state, "failed")
        exception = msg.exception_id
        self.start_tour(
            "/odoo/action-healthcare_integration_base.action_hc_exception",
            "hc_exception_approve",
            login="hc_tour_approver",
            timeout=240,  # a fresh database builds its asset bundles on this first page: slow on 2 cores
        )
        exception.invalidate_recordset()
        msg.invalidate_recordset()
        self.assertEqual(exception.state, "approved")
        self.assertEqual(exception.decided_by_id.login, "hc_tour_approver")
        self.assertIn("Physician approved", exception.decision_reason)
        self.assertEqual(msg.state, "done", "approving re-ran the waiting message")
