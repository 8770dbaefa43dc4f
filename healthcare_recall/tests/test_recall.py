"""Recall case in the backend: trace, quarantine everywhere, events held as lot_recalled, close."""

import json

from odoo.addons.healthcare_inventory_sync.tests.test_inventory_events import InventoryCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user


class TestRecall(InventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(cls.env, login="recall-clerk", groups="base.group_user,stock.group_stock_user")

    def open_recall(self):
        return (
            self.env["hc.recall"]
            .with_user(self.clerk)
            .create({"product_id": self.saline.id, "lot_ids": [(6, 0, self.lot.ids)], "reason": "Particles in bags"})
        )

    def test_trace_quarantine_hold_and_close(self):
        used = self.send(self.event(quantity=3, encounter_ref="hashed-enc-1"))
        self.send(self.event(type="inventory.waste", quantity=1))
        self.send(self.event(type="inventory.transfer", to_location="T-STORE-1", quantity=5))
        recall = self.open_recall()
        self.assertEqual(recall.state, "open")
        self.assertTrue(recall.name.startswith("RCL/"))
        trace = recall.with_user(self.clerk).get_trace()
        self.assertEqual(trace["totals"]["consumed"], 3.0)
        self.assertEqual(trace["totals"]["wasted"], 1.0)
        self.assertEqual(trace["totals"]["transferred"], 5.0)
        self.assertEqual(trace["consumed"][0]["encounters"], ["hashed-enc-1"])
        self.assertEqual((trace["consumed"][0]["encounter_count"], trace["consumed"][0]["messages"]), (1, 1))
        # every encounter of a location and day, a page at a time (the trace carries the first few)
        row = trace["consumed"][0]
        page = recall.with_user(self.clerk).get_trace_encounters(row["location_id"], row["day"], limit=10)
        self.assertEqual((page["total"], page["encounters"]), (1, ["hashed-enc-1"]))
        self.assertEqual(recall.get_trace_encounters(row["location_id"], row["day"], offset=1)["encounters"], [])
        line = self.env["stock.move.line"].search([("move_id", "in", json.loads(used.result_ids))])
        self.assertEqual((line.hc_encounter_ref, line.hc_message_id), ("hashed-enc-1", used))
        encounters = recall.action_view_encounters()
        self.assertEqual(self.env["stock.move"].search(encounters["domain"]).hc_encounter_ref, "hashed-enc-1")
        on_hand = {r["location"].split("/")[-1]: r["quantity"] for r in trace["on_hand"]}
        self.assertEqual(on_hand, {"Cab T1": 40 - 3 - 1 - 5, "Store T1": 5})
        self.assertIn("Cab T1", recall.trace_html)

        recall.with_user(self.clerk).action_quarantine_all()
        self.assertEqual(recall.state, "quarantined")
        self.assertTrue(self.lot.hc_quarantined)
        self.assertEqual(self.lot.hc_recall_id, recall)
        self.assertEqual(len(recall.activity_ids), 1, "both locations belong to one owner (Pharmacy)")
        with self.assertRaises(UserError):
            recall.with_user(self.clerk).action_quarantine_all()

        held = self.send(self.event(quantity=1))
        self.assert_failed(held, "lot_recalled")
        self.assertEqual(held.exception_id.res_id, self.lot.id)
        self.assertEqual(recall.get_trace()["waiting_messages"][0]["message_id"], held.id)

        with self.assertRaises(AccessError):
            recall.with_user(self.clerk).action_close("destroyed")
        recall = recall.with_env(self.env)
        with self.assertRaises(UserError):
            recall.action_close("  ")
        recall.action_close("Returned 36 bags to the supplier")
        self.assertEqual(
            (recall.state, recall.closed_by_id, recall.close_reason),
            ("closed", self.env.user, "Returned 36 bags to the supplier"),
        )
        self.assertFalse(self.lot.hc_recall_id)

    def test_state_and_lot_link_only_through_actions(self):
        recall = self.open_recall()
        with self.assertRaises(AccessError):
            recall.with_user(self.clerk).write({"state": "closed"})
        with self.assertRaises(AccessError):
            self.lot.with_user(self.clerk).write({"hc_recall_id": recall.id})

    def test_recall_notice_opens_a_case(self):
        notice = {
            "id": "RCL-T-1",
            "type": "recall.notice",
            "schema_version": "1.0",
            "source": {"system": "acme", "authority": "ACME Pharma"},
            "item": {"code": "T-NS"},
            "lots": ["TL-1", "NOT-HERE"],
            "reason": "Particles",
        }
        msg = self.send(notice)
        self.assertEqual(msg.state, "done", msg.error_detail)
        recall = self.env["hc.recall"].browse(int(msg.result_ids.strip("[]")))
        self.assertEqual((recall.product_id, recall.lot_ids, recall.unknown_lots), (self.saline, self.lot, "NOT-HERE"))
        self.assertEqual(recall.source, "ACME Pharma")
