"""Append-only at the database level, and tamper evidence through the seal chain."""

from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.tools import mute_logger

from ..models import tools
from .common import AuditCase


class TestAppendOnly(AuditCase):
    def _one_event(self):
        self.partner.write({"comment": "sealed fact"})
        return self.events("res.partner", self.partner.id)[-1]

    def test_raw_sql_update_delete_truncate_are_rejected(self):
        event = self._one_event()
        for statement in (
            f"UPDATE hc_audit_event SET reason = 'x' WHERE id = {event.id}",
            f"DELETE FROM hc_audit_event WHERE id = {event.id}",
            "TRUNCATE hc_audit_event",
        ):
            with (
                self.subTest(statement=statement),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.Error) as caught,
                self.env.cr.savepoint(),
            ):
                self.env.cr.execute(statement)
            self.assertIn("append-only", str(caught.exception))
        self.assertTrue(event.exists())

    def test_seals_are_append_only_too(self):
        self._one_event()
        self.Event.seal_pending()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE hc_audit_seal SET hash = 'x'")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("DELETE FROM hc_audit_seal")


class TestTamperEvidence(AuditCase):
    def setUp(self):
        super().setUp()
        for i in range(3):
            self.partner.write({"comment": f"fact {i}"})
        # a gap in the ids, as rolled-back transactions leave: an attacker may try to fill it
        self.env.cr.execute("SELECT nextval('hc_audit_event_id_seq')")
        self.gap_id = self.env.cr.fetchone()[0]
        self.partner.write({"comment": "fact 3"})
        self.sealed = self.events("res.partner", self.partner.id, "write")
        self.assertTrue(self.Event.seal_pending())
        result = self.Event.verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertIsNone(result["first_break"])
        self.assertGreaterEqual(result["checked"], 4)

    def _as_superuser_without_triggers(self, statement, params=()):
        cr = self.env.cr
        cr.execute("ALTER TABLE hc_audit_event DISABLE TRIGGER ALL")
        cr.execute(statement, params)
        cr.execute("ALTER TABLE hc_audit_event ENABLE TRIGGER ALL")
        self.Event.invalidate_model()

    def test_altered_event_is_detected(self):
        victim = self.sealed[1]
        self._as_superuser_without_triggers(
            "UPDATE hc_audit_event SET user_id = %s WHERE id = %s", (self.approver.id, victim.id)
        )
        result = self.Event.verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_break"]["event_id"], victim.id)
        self.assertIn("altered", result["first_break"]["reason"])
        self.assertFalse(victim.hash_ok)

    def test_altered_event_with_recomputed_hash_is_detected_by_the_seal(self):
        victim = self.sealed[2]
        row = self.Event._fetch_rows(ids=[victim.id])[0]
        row["reason"] = "rewritten history"
        self._as_superuser_without_triggers(
            "UPDATE hc_audit_event SET reason = %s, hash = %s WHERE id = %s",
            (row["reason"], tools.content_hash(row), victim.id),
        )
        result = self.Event.verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_break"]["event_id"], victim.id)
        self.assertIn("differs from seal", result["first_break"]["reason"])

    def test_deleted_event_is_detected(self):
        victim = self.sealed[0]
        self._as_superuser_without_triggers("DELETE FROM hc_audit_event WHERE id = %s", (victim.id,))
        result = self.Event.verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_break"]["event_id"], victim.id)
        self.assertIn("deleted", result["first_break"]["reason"])

    def test_inserted_event_is_detected(self):
        row = self.Event._fetch_rows(ids=[self.sealed[0].id])[0]
        row.update(reason="forged", res_id=self.partner.id)
        forged_hash = tools.content_hash(row)  # a well-formed row: only the chain can tell
        self.env.cr.execute(
            "INSERT INTO hc_audit_event (id, event_time, action, model, res_id, res_name, interface, user_id, "
            "reason, changes, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                self.gap_id,
                row["event_time"],
                row["action"],
                row["model"],
                row["res_id"],
                row["res_name"],
                row["interface"],
                row["user_id"],
                row["reason"],
                row["changes"],
                forged_hash,
            ),
        )
        result = self.Event.verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_break"]["event_id"], self.gap_id)
        self.assertIn("inserted", result["first_break"]["reason"])

    def test_unsealed_events_are_checked_and_chained_by_the_next_seal(self):
        self.partner.write({"comment": "later"})
        self.assertTrue(self.Event.verify_chain()["ok"])
        seal = self.Event.seal_pending()
        seals = self.env["hc.audit.seal"].search([], order="sequence")
        self.assertEqual(seals[-1].id, seal)
        self.assertEqual(seals[-1].prev_hash, seals[-2].hash)
        self.assertFalse(self.Event.seal_pending(), "nothing left to seal")

    def test_verify_wizard_reports_the_first_break(self):
        victim = self.sealed[1]
        self._as_superuser_without_triggers("UPDATE hc_audit_event SET reason = 'x' WHERE id = %s", (victim.id,))
        wizard = (
            self.env["hc.audit.verify.wizard"]
            .with_user(self.auditor)
            .create(
                {
                    "date_from": fields.Datetime.now() - timedelta(hours=1),
                    "date_to": fields.Datetime.now() + timedelta(hours=1),
                }
            )
        )
        wizard.action_verify()
        self.assertFalse(wizard.ok)
        self.assertEqual(wizard.break_event_id, victim.id)
        # a period before the events sees nothing wrong
        old = self.env["hc.audit.verify.wizard"].create(
            {
                "date_from": fields.Datetime.now() - timedelta(days=10),
                "date_to": fields.Datetime.now() - timedelta(days=9),
            }
        )
        old.action_verify()
        self.assertTrue(old.ok)

    def test_scheduled_verification_alerts_auditors_once_per_break(self):
        victim = self.sealed[1]
        self._as_superuser_without_triggers("UPDATE hc_audit_event SET reason = 'x' WHERE id = %s", (victim.id,))
        Alert = self.env["hc.audit.alert"]
        Alert._cron_verify()
        Alert._cron_verify()
        alerts = Alert.search([("event_id", "=", victim.id)])
        self.assertEqual(len(alerts), 1)
        self.assertIn(self.auditor, alerts.activity_ids.user_id)

    def test_seals_keep_verifying_after_retention_archive(self):
        moved = self.env["hc.audit.seal"].archive_before(
            fields.Datetime.now() + timedelta(minutes=1), reason="test retention"
        )
        self.assertGreaterEqual(moved, 4)
        self.assertFalse(self.Event.search([("id", "in", self.sealed.ids)]))
        self.env.cr.execute("SELECT count(*) FROM hc_audit_event_archive WHERE id = ANY(%s)", (self.sealed.ids,))
        self.assertEqual(self.env.cr.fetchone()[0], len(self.sealed))
        self.assertTrue(self.events("hc.audit.event", action="retention"))
        result = self.Event.verify_chain()
        self.assertTrue(result["ok"], result)
        # archived rows are append-only and still checked
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("DELETE FROM hc_audit_event_archive")
        self.env.cr.execute("ALTER TABLE hc_audit_event_archive DISABLE TRIGGER ALL")
        self.env.cr.execute("UPDATE hc_audit_event_archive SET reason = 'x' WHERE id = %s", (self.sealed[0].id,))
        self.env.cr.execute("ALTER TABLE hc_audit_event_archive ENABLE TRIGGER ALL")
        self.assertEqual(self.Event.verify_chain()["first_break"]["event_id"], self.sealed[0].id)
