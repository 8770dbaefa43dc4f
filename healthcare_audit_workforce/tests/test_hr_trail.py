"""HR changes on the audit trail, attributed to the HR interface that made them."""

import json

from odoo.addons.healthcare_workforce.tests.test_workforce import WorkforceCase, hr


class TestHrTrail(WorkforceCase):
    def test_hire_transfer_and_leaver_are_on_the_trail_as_the_hr_interface(self):
        self.base_org()
        msgs = self.send(hr("hr.employee", external_id="T-E2", name="Nurse Two", role="T-WARDMGR"))
        nurse = self.employee("T-E2")
        Event = self.env["hc.audit.event"]
        events = Event.search([("model", "=", "hr.employee"), ("res_id", "=", nurse.id)], order="id")
        self.assertTrue(events)
        self.assertEqual(set(events.mapped("interface")), {f"webhook:{self.endpoint.code}"})
        transfer = events.filtered(lambda e: e.message_id == msgs.id)
        self.assertEqual(transfer.action, "write")
        self.assertIn("hc_role_id", json.loads(transfer.changes))
        rights = Event.search(
            [("model", "=", "res.users"), ("res_id", "=", nurse.user_id.id), ("message_id", "=", msgs.id)]
        )
        self.assertTrue(rights, "the user's new rights are on the trail")
        self.assertEqual(rights.mapped("interface"), [f"webhook:{self.endpoint.code}"] * len(rights))
