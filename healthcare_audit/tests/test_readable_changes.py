"""The auditor reads field labels, selection labels and record names beside the ids."""

from odoo.addons.healthcare_integration_base.tests.common import doc

from .common import AuditCase


class TestReadableChanges(AuditCase):
    def test_an_exception_change_reads_with_labels_and_names(self):
        result = self.ingest([doc("rd-1", {"outcome": "business:lot_expired"})])
        self.process()
        exception = self.Message.browse(result[0]["message_id"]).exception_id
        other = self.env["hc.team"].create({"name": "Pharmacy Night Shift"})
        exception.write({"team_id": other.id, "severity": "high"})
        event = self.events("hc.exception", exception.id, "write")[-1]
        self.assertEqual(event.model_label, "Integration Exception")
        self.assertIn(
            f"Owner Team (team_id): {self.team.name} (#{self.team.id}) → Pharmacy Night Shift (#{other.id})",
            event.changes_readable,
        )
        self.assertIn("(severity):", event.changes_readable)
        self.assertIn("→ High (high)", event.changes_readable)
