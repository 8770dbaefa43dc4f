"""An HR feed is its company's: it cannot take over, re-right or archive another company's user
(security probe, issue 11-14 hardening)."""

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from .test_workforce import hr


class TestHrFeedStaysInItsCompany(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.env["hc.endpoint"].create({"name": "HR system", "code": "hr-probe"})
        cls.requester_group = cls.env.ref("healthcare_workforce.group_hc_requester")
        cls.env["hc.workforce.role"].create(
            {"code": "T-NURSE", "name": "Nurse", "group_ids": [Command.set(cls.requester_group.ids)]}
        )

    def send(self, *docs):
        Message = self.env["hc.inbound.message"]
        ctx = self.env["hc.endpoint"]._auth_context(self.endpoint.code)
        meta = {
            "correlation_id": "c-1",
            "content_type": "application/json",
            "webhook_id": "w-1",
            "client_ip": "127.0.0.1",
        }
        res = Message._ingest(ctx, list(docs), meta)
        Message.process_pending(commit=False, limit=1000)
        return Message.browse([r["message_id"] for r in res])

    def employee(self, ext):
        return self.env["hr.employee"].with_context(active_test=False).search([("hc_external_id", "=", ext)])

    def test_a_hire_with_another_companys_login_does_not_take_that_user_over(self):
        other = self.env["res.company"].create({"name": "Other Hospital (probe)"})
        theirs = new_test_user(
            self.env,
            "buyer@other.example",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        rights = theirs.groups_id
        msgs = self.send(
            hr(
                "hr.employee",
                external_id="T-X1",
                name="Impostor",
                work_email="buyer@other.example",
                role="T-NURSE",
            )
        )
        self.assertEqual(msgs.state, "done", msgs.error_detail)
        hire = self.employee("T-X1")
        self.assertTrue(hire)
        self.assertFalse(hire.user_id, "the other company's user is not bound to this company's employee")
        self.assertEqual(theirs.groups_id, rights)
        # the feed's leaver message then cannot archive it either
        self.send(hr("hr.employee", external_id="T-X1", name="Impostor", active=False))
        self.assertTrue(theirs.active)
        self.assertEqual(theirs.groups_id, rights)

    def test_a_hire_with_a_login_of_this_company_still_gets_that_user(self):
        mine = new_test_user(self.env, "clerk@t.example", groups="base.group_user")
        self.send(hr("hr.employee", external_id="T-X2", name="Clerk", work_email="clerk@t.example", role="T-NURSE"))
        self.assertEqual(self.employee("T-X2").user_id, mine)
        self.assertIn(self.requester_group, mine.groups_id)
