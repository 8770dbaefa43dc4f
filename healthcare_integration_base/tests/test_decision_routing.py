"""Decisions reach someone who can make them, and the form says who can and why not."""

from odoo.tests import new_test_user

from .common import HcCase, doc


class TestDecisionRouting(HcCase):
    def fail_one(self, key, code="item_unknown"):
        result = self.ingest([doc(key, {"outcome": f"business:{code}", "cause": key})])
        self.process()
        return self.Message.browse(result[0]["message_id"]).exception_id

    def test_a_team_member_who_can_decide_gets_the_activity_not_a_lead_who_cannot(self):
        clerk = new_test_user(self.env, "hc_route_clerk", groups="healthcare_integration_base.group_hc_user")
        self.team.write({"user_id": clerk.id, "member_ids": [(6, 0, [clerk.id, self.approver.id])]})
        exception = self.fail_one("r1")
        self.assertEqual(exception.activity_ids.user_id, self.approver)
        self.assertFalse(exception.assignment_note)
        self.assertEqual(exception.with_user(self.approver).decider_ids, self.approver)

    def test_decisions_are_spread_over_the_members_who_can_decide(self):
        self.team.write({"user_id": False, "member_ids": [(6, 0, [self.approver.id, self.approver2.id])]})
        first, second = self.fail_one("s1"), self.fail_one("s2")
        self.assertEqual((first.activity_ids.user_id | second.activity_ids.user_id), self.approver | self.approver2)

    def test_nobody_in_the_team_can_decide_escalates_to_the_lead_and_says_so(self):
        clerk = new_test_user(self.env, "hc_route_lead", groups="healthcare_integration_base.group_hc_user")
        self.team.write({"user_id": clerk.id, "member_ids": [(6, 0, [clerk.id])]})
        exception = self.fail_one("e1")
        self.assertEqual(exception.activity_ids.user_id, clerk, "the lead can put an approver in the team")
        self.assertIn("Nobody in team Master Data can decide", exception.assignment_note)
        self.assertIn("Nobody in team Master Data can decide", exception.activity_ids.note)
        # the lead is told why there are no Approve/Reject buttons, and who could
        as_lead = exception.with_user(clerk)
        self.assertFalse(as_lead.can_decide)
        self.assertIn("Only an Exception Approver", as_lead.decide_hint)

    def test_a_team_without_a_lead_or_deciders_escalates_to_an_approver(self):
        self.team.write({"user_id": False, "member_ids": [(5,)]})
        exception = self.fail_one("e2")
        user = exception.activity_ids.user_id
        self.assertTrue(user.has_group("healthcare_integration_base.group_hc_approver"), user.name)
        self.assertIn(user.name, exception.assignment_note)

    def test_the_person_who_raised_it_is_never_the_one_asked(self):
        exception = self.fail_one("own")
        exception2 = self.env["hc.exception"].create(
            {
                "name": "own action",
                "code": "negative_stock",
                "team_id": self.team.id,
                "raised_by_id": self.approver2.id,
                "endpoint_id": self.endpoint.id,
            }
        )
        self.assertEqual(exception.activity_ids.user_id, self.approver2)
        self.assertNotEqual(exception2.activity_ids.user_id, self.approver2)
        self.assertFalse(exception2.with_user(self.approver2).can_decide)
        self.assertIn("your own action", exception2.with_user(self.approver2).decide_hint)
        self.assertTrue(exception2.with_user(self.approver).can_decide)
        self.assertFalse(exception2.with_user(self.approver).decide_hint)
