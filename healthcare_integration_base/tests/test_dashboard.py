"""The integration admin's dashboard: per endpoint today's volume, backlog, oldest waiting, p95,
last success and SLA state; failures grouped by cause (label, not code) in a graph."""

from odoo.tests import new_test_user

from .common import HcCase, doc


class TestDashboard(HcCase):
    def seed(self, endpoint=None, prefix="d"):
        docs = [doc(f"{prefix}-ok-{i}", {"n": i}) for i in range(2)]
        docs += [doc(f"{prefix}-schema-{i}", {"outcome": "business:schema_violation", "n": i}) for i in range(3)]
        docs += [doc(f"{prefix}-odd-0", {"outcome": "business:cabinet_drawer_jammed"})]
        docs += [doc(f"{prefix}-slow-0", {"outcome": "technical"})]
        self.ingest(docs, endpoint=endpoint)
        self.process()
        self.env.flush_all()

    def test_failures_are_grouped_by_cause_with_their_labels(self):
        self.seed()
        Failure = self.env["hc.endpoint.failure"]
        groups = Failure._read_group(
            [("endpoint_id", "=", self.endpoint.id)], ["cause", "state"], ["message_count:sum"]
        )
        self.assertEqual(
            sorted(groups),
            sorted(
                [
                    ("cabinet_drawer_jammed", "failed", 1),
                    ("partner_timeout", "retry", 1),
                    ("schema_violation", "failed", 3),
                ]
            ),
        )
        labels = dict(Failure.fields_get(["cause"])["cause"]["selection"])
        self.assertEqual(labels["schema_violation"], "Message does not follow its schema")
        self.assertEqual(labels["partner_timeout"], "Partner did not answer in time")
        self.assertEqual(labels["cabinet_drawer_jammed"], "Cabinet drawer jammed", "an uncatalogued code, readable")
        # the messages behind a bar
        row = Failure.search([("endpoint_id", "=", self.endpoint.id), ("cause", "=", "schema_violation")])
        action = row.action_open_messages()
        messages = self.env["hc.inbound.message"].search(action["domain"])
        self.assertEqual(len(messages), 3)
        self.assertEqual(set(messages.mapped("error_code")), {"schema_violation"})

    def test_endpoint_health_card_figures(self):
        self.endpoint.alert_failure_rate = 0.5
        self.seed()
        stat = self.env["hc.endpoint.stat"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual(stat.count_today, 7)
        self.assertEqual(stat.backlog, 1, "the message waiting for a retry")
        self.assertTrue(stat.oldest_pending_display)
        self.assertTrue(stat.last_success_at)
        self.assertEqual(stat.count_failed, 4)
        self.assertEqual(stat.failures_by_cause, "Message does not follow its schema: 3, Cabinet drawer jammed: 1")
        self.assertEqual(stat.sla_state, "breach", "5 of 7 processed failed or wait for a retry: over 50 %")
        action = stat.action_open_failures()
        self.assertEqual(action["res_model"], "hc.endpoint.failure")
        self.assertEqual(self.env["hc.endpoint.failure"].search_count(action["domain"]), 3)
        waiting = self.env["hc.inbound.message"].search(stat.action_open_waiting()["domain"])
        self.assertEqual(waiting.mapped("state"), ["retry"])
        views = self.env["hc.endpoint.stat"].get_views([(False, "kanban")])
        self.assertIn("action_open_failures", views["views"]["kanban"]["arch"])

    def test_another_companys_failures_are_not_shown(self):
        other = self.env["res.company"].create({"name": "Other Hospital"})
        endpoint = self.env["hc.endpoint"].create(
            {"name": "Other cabinet", "code": "other-cab", "company_id": other.id}
        )
        self.seed(endpoint=endpoint, prefix="o")
        self.seed()
        user = new_test_user(self.env, "hc_dash_admin", groups="healthcare_integration_base.group_hc_manager")
        mine = self.env["hc.endpoint.failure"].with_user(user).search([])
        self.assertTrue(mine)
        self.assertEqual(mine.endpoint_id, self.endpoint)
        self.assertTrue(
            self.env["hc.endpoint.failure"].search([("endpoint_id", "=", endpoint.id)]), "superuser sees it"
        )

    def test_empty_states_say_what_will_appear(self):
        for xmlid in ("action_hc_endpoint_failure", "action_hc_endpoint_stat", "action_hc_inbound_message_analysis"):
            action = self.env.ref(f"healthcare_integration_base.{xmlid}")
            self.assertIn("o_view_nocontent", action.help, xmlid)
            self.assertGreater(len(action.help), 200, xmlid)
        self.assertIn(
            "one colour per cause", self.env.ref("healthcare_integration_base.action_hc_endpoint_failure").help
        )
