"""A real webhook-driven stock change (healthcare_inventory_sync's processor), when installed.

This module does not depend on healthcare_inventory_sync: the test skips without it.
"""

import json
import unittest

from odoo.modules.module import get_module_path
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase
from odoo.tests.common import get_db_name

InventoryCase = TransactionCase
if get_module_path("healthcare_inventory_sync", display_warning=False):
    try:
        from odoo.addons.healthcare_inventory_sync.tests.test_inventory_events import InventoryCase
    except ImportError:  # the module is being written, or broken: the test skips
        InventoryCase = TransactionCase


class TestInventoryWebhookTrail(InventoryCase):
    @classmethod
    def setUpClass(cls):
        if InventoryCase is TransactionCase:
            raise unittest.SkipTest("healthcare_inventory_sync is not available")
        if "healthcare_inventory_sync" not in Registry(get_db_name())._init_modules:
            raise unittest.SkipTest("healthcare_inventory_sync is not installed")
        super().setUpClass()

    def test_consumption_event_leaves_a_webhook_trail_and_an_evidence_pack(self):
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        move_ids = json.loads(msg.result_ids)
        Event = self.env["hc.audit.event"]
        events = Event.search([("model", "=", "stock.move"), ("res_id", "in", move_ids)])
        self.assertTrue(events, "the move reaching 'done' is on the trail")
        for event in events:
            self.assertEqual(event.interface, f"webhook:{self.endpoint.code}")
            self.assertEqual(event.endpoint_id, self.endpoint)
            self.assertEqual(event.correlation_id, "c")
            self.assertEqual(event.message_id, msg.id)
        self.assertEqual(json.loads(events[0].changes)["state"]["new"], "done")
        Event.seal_pending()
        self.assertTrue(Event.verify_chain()["ok"])
        pack = Event.evidence_pack(model="stock.move", res_id=move_ids[0])
        self.assertIn(msg.id, [m["id"] for m in pack["messages"]])
        self.assertTrue(all(e["seal"] for e in pack["events"]))
        self.assertTrue({e["id"] for e in pack["events"]} >= set(events.ids))
