"""HR master data through the real queue: upserts, rights from roles, transfers, leavers, ownership."""

import json
import uuid

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase


def hr(message_type, **body):
    body = {"id": f"hr-{uuid.uuid4().hex[:12]}", "type": message_type, **body}
    text = json.dumps(body, sort_keys=True)
    import hashlib

    return {
        "key": body["id"],
        "body_hash": hashlib.sha256(text.encode()).hexdigest(),
        "message_type": message_type,
        "payload": text,
    }


class WorkforceCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.endpoint = env["hc.endpoint"].create({"name": "HR system", "code": "hr-test"})
        cls.requester_group = env.ref("healthcare_workforce.group_hc_requester")
        cls.approver_group = env.ref("healthcare_workforce.group_hc_department_approver")
        cls.buyer_group = env.ref("healthcare_workforce.group_hc_buyer")
        Role = env["hc.workforce.role"]
        eur = env.company.currency_id
        cls.nurse = Role.create(
            {"code": "T-NURSE", "name": "Nurse", "group_ids": [Command.set(cls.requester_group.ids)]}
        )
        cls.ward_mgr = Role.create(
            {
                "code": "T-WARDMGR",
                "name": "Ward Manager",
                "group_ids": [Command.set(cls.approver_group.ids)],
                "limit_ids": [Command.create({"currency_id": eur.id, "amount": 5000})],
            }
        )
        cls.buyer = Role.create({"code": "T-BUYER", "name": "Buyer", "group_ids": [Command.set(cls.buyer_group.ids)]})

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

    def base_org(self):
        self.send(
            hr("hr.cost_center", code="T-CC1", name="ICU costs"),
            hr("hr.department", code="T-MED", name="Medicine"),
            hr("hr.department", code="T-ICU", name="ICU", parent="T-MED", cost_center="T-CC1", facility="GENHOSP"),
            hr(
                "hr.employee",
                external_id="T-E1",
                name="Boss One",
                work_email="boss1@t.example",
                department="T-MED",
                role="T-WARDMGR",
            ),
            hr(
                "hr.employee",
                external_id="T-E2",
                name="Nurse Two",
                work_email="nurse2@t.example",
                department="T-ICU",
                role="T-NURSE",
                manager="T-E1",
                cost_center="T-CC1",
            ),
        )

    def test_upsert_and_hire_gets_user_with_role_groups(self):
        self.base_org()
        icu = self.env["hr.department"].search([("hc_code", "=", "T-ICU")])
        self.assertEqual(icu.parent_id.hc_code, "T-MED")
        self.assertEqual(icu.hc_cost_center_id.code, "T-CC1")
        self.assertTrue(icu.hc_cost_center_id.hc_hr_managed)
        nurse = self.employee("T-E2")
        self.assertEqual(nurse.parent_id, self.employee("T-E1"))
        self.assertEqual(nurse.department_id, icu)
        user = nurse.user_id
        self.assertTrue(user and user.login == "nurse2@t.example")
        self.assertFalse(user.password, "a hire's user has no password")
        self.assertIn(self.requester_group, user.groups_id)
        self.assertNotIn(self.approver_group, user.groups_id)
        self.assertEqual(self.employee("T-E1")._hc_approval_limit(self.env.company.currency_id), 5000)

    def test_same_content_again_writes_nothing(self):
        self.base_org()
        nurse = self.employee("T-E2")
        stamp = nurse.write_date
        self.env.cr.execute("SELECT count(*) FROM hr_employee")
        count = self.env.cr.fetchone()[0]
        msgs = self.send(
            hr(
                "hr.employee",
                external_id="T-E2",
                name="Nurse Two",
                work_email="nurse2@t.example",
                department="T-ICU",
                role="T-NURSE",
                manager="T-E1",
                cost_center="T-CC1",
            )
        )
        self.assertEqual(msgs.state, "done")
        self.env.cr.execute("SELECT count(*), max(write_date) FROM hr_employee WHERE hc_external_id = 'T-E2'")
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        self.env.cr.execute("SELECT count(*) FROM hr_employee")
        self.assertEqual(self.env.cr.fetchone()[0], count)
        nurse.invalidate_recordset()
        self.assertEqual(nurse.write_date, stamp)

    def test_transfer_changes_rights_at_once(self):
        self.base_org()
        self.send(hr("hr.employee", external_id="T-E2", name="Nurse Two", role="T-WARDMGR"))
        nurse = self.employee("T-E2")
        self.assertIn(self.approver_group, nurse.user_id.groups_id)
        self.assertEqual(nurse._hc_approval_limit(self.env.company.currency_id), 5000)
        self.send(hr("hr.employee", external_id="T-E2", name="Nurse Two", role="T-BUYER"))
        self.assertNotIn(self.approver_group, nurse.user_id.groups_id)
        self.assertIn(self.buyer_group, nurse.user_id.groups_id)
        self.assertTrue(nurse.user_id.has_group("purchase.group_purchase_user"))
        self.assertEqual(nurse._hc_approval_limit(self.env.company.currency_id), 0)

    def test_leaver_archived_loses_rights_and_activities_go_to_manager(self):
        self.base_org()
        nurse, boss = self.employee("T-E2"), self.employee("T-E1")
        user = nurse.user_id
        partner = self.env["res.partner"].create({"name": "Some record"})
        act = partner.activity_schedule("mail.mail_activity_data_todo", summary="Approve this", user_id=user.id)
        self.send(hr("hr.employee", external_id="T-E2", name="Nurse Two", active=False))
        self.assertFalse(nurse.active)
        self.assertFalse(user.active)
        internal = self.env.ref("base.group_user")
        self.assertEqual(user.groups_id, internal | internal.trans_implied_ids, "an internal user without any right")
        self.assertEqual(act.user_id, boss.user_id)

    def test_end_date_in_the_past_is_a_leaver(self):
        self.base_org()
        self.send(hr("hr.employee", external_id="T-E2", name="Nurse Two", end_date="2020-01-31"))
        self.assertFalse(self.employee("T-E2").active)

    def test_hr_owned_field_refused_in_odoo_with_where_to_change_it(self):
        self.base_org()
        self.env.company.hc_hr_system_name = "Workday"
        nurse = self.employee("T-E2").with_user(self.env.ref("base.user_admin"))
        with self.assertRaises(UserError) as err:
            nurse.write({"name": "Renamed"})
        self.assertIn("Workday", str(err.exception))
        nurse.write({"private_email": "x@y.example"})  # not owned by HR
        local = self.env["hr.employee"].with_user(self.env.ref("base.user_admin")).create({"name": "Local"})
        local.write({"name": "Local renamed"})  # not synchronised: Odoo owns it

    def test_unknown_role_and_reference_wait_for_a_person(self):
        msgs = self.send(
            hr("hr.employee", external_id="T-E9", name="X", role="NOPE"),
            hr("hr.employee", external_id="T-E8", name="Y", department="NOWHERE"),
        )
        self.assertEqual(msgs.mapped("state"), ["failed", "failed"])
        self.assertEqual(msgs.mapped("error_code"), ["role_unknown", "hr_reference_unknown"])
        self.assertFalse(self.employee("T-E9") | self.employee("T-E8"))

    def test_hire_then_transfer_in_one_batch(self):
        self.base_org()
        msgs = self.send(
            hr("hr.employee", external_id="T-E3", name="New", work_email="new3@t.example", role="T-NURSE"),
            hr("hr.employee", external_id="T-E3", name="New", role="T-BUYER"),
        )
        self.assertEqual(msgs.mapped("state"), ["done", "done"])
        self.assertEqual(self.employee("T-E3").hc_role_id, self.buyer)
        self.assertIn(self.buyer_group, self.employee("T-E3").user_id.groups_id)
