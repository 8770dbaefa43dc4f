"""An evidence pack opens from a transfer or a lot (Action menu) and holds what the integration did
to it: the moves, the messages that made them, their exceptions."""

import json

from odoo.addons.healthcare_inventory_sync.tests.test_inventory_events import InventoryCase
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


class TestEvidenceFromStockDocuments(InventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.auditor = new_test_user(cls.env, "hc_doc_auditor", groups="healthcare_integration_base.group_hc_auditor")

    def wizard_from(self, xmlid, record):
        action = self.env.ref(xmlid)
        self.assertEqual(action.binding_model_id.model, record._name)
        self.assertIn(
            action.id, [a["id"] for a in self.env["ir.actions.actions"]._get_bindings(record._name)["action"]]
        )
        context = safe_eval(action.context, {"active_id": record.id})
        return self.env["hc.audit.evidence.wizard"].with_user(self.auditor).with_context(**context).create({})

    def test_pack_of_a_lot_holds_the_messages_that_moved_it_and_their_exceptions(self):
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        refused = self.send(self.event(lot="TL-OLD", expiry="2025-01-31", quantity=1))
        self.assert_failed(refused, "lot_expired")
        wizard = self.wizard_from("healthcare_audit_inventory.action_hc_audit_evidence_from_lot", self.lot)
        self.assertEqual((wizard.model, wizard.res_id), ("stock.lot", self.lot.id))
        self.assertEqual(wizard.record_label, f"Lot/Serial {self.lot.display_name}")
        pack = wizard._pack()
        moves = json.loads(msg.result_ids)
        self.assertIn(msg.id, [m["id"] for m in pack["messages"]])
        self.assertTrue({e["res_id"] for e in pack["events"] if e["model"] == "stock.move"} >= set(moves))
        self.assertNotIn(refused.id, [m["id"] for m in pack["messages"]], "another lot's message is not in it")
        # the expired lot's pack: the exception raised about it and the message behind it
        pack = self.wizard_from("healthcare_audit_inventory.action_hc_audit_evidence_from_lot", self.expired)._pack()
        self.assertEqual([e["id"] for e in pack["exceptions"]], refused.exception_id.ids)
        self.assertIn(refused.id, [m["id"] for m in pack["messages"]])
        self.assertNotIn(msg.id, [m["id"] for m in pack["messages"]])

    def test_pack_of_a_transfer_holds_its_moves_done(self):
        picking_type = self.env.ref("stock.picking_type_internal")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": self.cab.id,
                "location_dest_id": self.store.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "back to store",
                            "product_id": self.gauze.id,
                            "product_uom_qty": 1,
                            "product_uom": self.gauze.uom_id.id,
                            "location_id": self.cab.id,
                            "location_dest_id": self.store.id,
                        },
                    )
                ],
            }
        )
        self.env["stock.quant"]._update_available_quantity(self.gauze, self.cab, 5)
        picking.action_confirm()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.state, "done")
        wizard = self.wizard_from("healthcare_audit_inventory.action_hc_audit_evidence_from_picking", picking)
        self.assertEqual(wizard.record_label, f"Transfer {picking.name}")
        pack = wizard._pack()
        done = [e for e in pack["events"] if e["model"] == "stock.move" and e["res_id"] == picking.move_ids.id]
        self.assertEqual(len(done), 1, pack["events"])
        self.assertEqual(done[0]["changes"]["state"]["new"], "done")
        self.assertEqual(pack["query"], {"correlation_id": None, "model": "stock.picking", "res_id": picking.id})


@tagged("post_install", "-at_install")
class TestEvidenceFromLotInTheBrowser(HttpCase, InventoryCase):
    def test_auditor_opens_the_evidence_pack_from_the_lot(self):
        new_test_user(
            self.env,
            "hc_tour_lot_auditor",
            password="hc_tour_lot_auditor",
            groups="base.group_user,stock.group_stock_user,healthcare_integration_base.group_hc_auditor",
        )
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        for name in ("web.assets_web", "web.assets_tests"):  # built before the browser asks (slow machines)
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
            bundle.css()
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{self.lot.id}",
            "hc_evidence_from_lot",
            login="hc_tour_lot_auditor",
            timeout=300,
        )
        # what the dialog exports for this lot: the message that moved it
        pack = self.env["hc.audit.evidence"]._build(model="stock.lot", res_id=self.lot.id)
        self.assertIn(msg.id, [m["id"] for m in pack["messages"]])
