"""People read labels and units; codes stay in the API and a technical column."""

from odoo.tests import TransactionCase

from ..models.hc_inbound_message_display import human_duration
from .common import HcCase, doc


class TestHumanDuration(TransactionCase):
    def test_durations_carry_their_unit(self):
        self.assertEqual(human_duration(0.158), "158 ms")
        self.assertEqual(human_duration(42), "42 s")
        self.assertEqual(human_duration(158.4), "2 min 38 s")
        self.assertEqual(human_duration(7800), "2 h 10 min")
        self.assertEqual(human_duration(3 * 86400 + 4 * 3600), "3 d 4 h")
        self.assertFalse(human_duration(None))


class TestCodeLabels(HcCase):
    def test_exception_and_message_read_in_words_with_the_code_kept(self):
        result = self.ingest([doc("lbl-1", {"outcome": "business:no_handler"})])
        self.process()
        msg = self.Message.browse(result[0]["message_id"])
        exception = msg.exception_id
        self.assertEqual(exception.code, "no_handler", "the code stays as the contract says")
        self.assertEqual(msg._api_status()["error"]["code"], "no_handler")
        self.assertEqual(exception.code_label, "No processor for this message type")
        self.assertTrue(exception.name.startswith("No processor for this message type: "), exception.name)
        self.assertIn("install", exception.code_help)
        self.assertEqual(msg.error_label, exception.code_label)

    def test_an_uncatalogued_code_still_reads_as_words(self):
        self.assertEqual(self.env["hc.code.catalog"]._label("some_new_code"), "Some new code")
        self.assertFalse(self.env["hc.code.catalog"]._explanation("some_new_code"))

    def test_the_decision_dialog_is_titled_by_what_is_decided(self):
        result = self.ingest([doc("lbl-2", {"outcome": "business:no_handler"})])
        self.process()
        exception = self.Message.browse(result[0]["message_id"]).exception_id
        action = exception.with_context(decision="approve").action_open_decision_wizard()
        self.assertTrue(action["name"].startswith("Approve: No processor"), action["name"])


class TestEndpointHealthInWords(HcCase):
    def test_today_volume_failures_by_cause_and_sla_state(self):
        self.ingest(
            [doc("h1", {"outcome": "done"}), doc("h2", {"outcome": "business:no_handler", "cause": "h2"})]
            + [doc(f"h3{i}", {"outcome": "business:item_unknown", "cause": f"h3{i}"}) for i in range(2)]
        )
        self.process()
        self.env.flush_all()
        stat = self.env["hc.endpoint.stat"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual(stat.count_today, 4)
        label = self.env["hc.code.catalog"]._label
        self.assertEqual(stat.failures_by_cause, f"{label('item_unknown')}: 2, {label('no_handler')}: 1")
        self.assertEqual(stat.sla_state, "breach", "3 of 4 failed in the last hour, above the 20 % threshold")
        self.endpoint.alert_failure_rate = 0.9
        stat.invalidate_recordset()
        self.assertEqual(stat.sla_state, "ok")
        self.endpoint.alert_failure_rate = 0.01
        stat.invalidate_recordset()
        self.assertEqual(stat.sla_state, "breach")
