"""Direct posting (stock.move._hc_insert_done) leaves what Odoo's own confirm/done leaves."""

import json
from datetime import date

import psycopg2

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .test_inventory_events import InventoryCase


class TestDirectPosting(InventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.ICP = env["ir.config_parameter"].sudo()
        cls.fifo_rt = env["product.category"].create(
            {"name": "FIFO real-time T", "property_cost_method": "fifo", "property_valuation": "real_time"}
        )
        Product = env["product.product"]
        cls.twins = [
            Product.create(
                {
                    "name": f"Syringe T{i}",
                    "default_code": f"T-SYR-{i}",
                    "is_storable": True,
                    "categ_id": cls.fifo_rt.id,
                    "standard_price": 2.5,
                }
            )
            for i in (1, 2)
        ]

    def moves_of(self, *msgs):
        ids = [mid for msg in msgs for mid in json.loads(msg.result_ids or "[]")]
        return self.env["stock.move"].browse(ids)

    def run_story(self, product, direct):
        """Receive 12 at 2.5, then consume 3, 4 and 6 (the last one short): the same story twice."""
        self.ICP.set_param("hc.direct_posting", "1" if direct else "0")
        code = product.default_code
        receipt = self.send(
            self.event(type="inventory.receipt", item={"code": code}, quantity=12, lot=None, expiry=None)
        )
        uses = [
            self.send(
                self.event(item={"code": code}, quantity=q, lot=None, expiry=None, occurred_at=f"2026-11-{d}T09:00:00Z")
            )
            for q, d in ((3, 18), (4, 19), (6, 20))
        ]
        for msg in (receipt, *uses):
            self.assertEqual(msg.state, "done", msg.error_detail)
        return receipt, uses

    def test_direct_and_standard_paths_leave_the_same_stock_valuation_and_entries(self):
        results = {}
        for product, direct in zip(self.twins, (True, False), strict=True):
            receipt, uses = self.run_story(product, direct)
            moves = self.moves_of(receipt, *uses)
            self.assertEqual(moves.mapped("state"), ["done"] * 4)
            self.assertEqual([m.date.date() for m in moves[1:]], [date(2026, 11, d) for d in (18, 19, 20)])
            layers = self.env["stock.valuation.layer"].search([("product_id", "=", product.id)], order="id")
            entries = layers.account_move_id
            results[direct] = {
                "on_hand": self.qty(product, self.cab),
                "consumed": self.qty(product, moves[1].location_dest_id),
                "layer_qty": layers.mapped("quantity"),
                "layer_value": layers.mapped("value"),
                "remaining": sum(layers.mapped("remaining_qty")),
                "entry_dates": sorted(entries.mapped("date")),
                "entry_states": set(entries.mapped("state")),
                "lines_done": moves.move_line_ids.mapped("state"),
            }
        self.assertEqual(results[True]["on_hand"], -1)  # 12 - 13: posted and flagged, as the endpoint says
        self.assertEqual(results[True]["layer_qty"], [12, -3, -4, -6])
        self.assertEqual(results[True]["layer_value"], [30.0, -7.5, -10.0, -15.0])
        # consumptions are accounted on the day they happened, not the day they were posted
        self.assertEqual(results[True]["entry_dates"], [date(2026, 11, d) for d in (18, 19, 20, 20)])
        self.assertEqual(results[True]["entry_states"], {"posted"})
        self.assertEqual(results[True], results[False])

    def test_another_transfers_reservation_is_freed_when_the_stock_is_used(self):
        picking_type = self.env["stock.picking.type"].search(
            [("code", "=", "internal"), ("company_id", "=", self.company.id)], limit=1
        )
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
                            "name": "restock",
                            "product_id": self.gauze.id,
                            "product_uom_qty": 8,
                            "product_uom": self.unit.id,
                            "location_id": self.cab.id,
                            "location_dest_id": self.store.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(picking.move_ids.quantity, 8)
        msg = self.send(self.event(item={"code": "T-GAUZE"}, quantity=5, lot=None, expiry=None))
        self.assertEqual(msg.state, "done", (msg.error_code, msg.error_detail))
        quant = self.env["stock.quant"]._gather(self.gauze, self.cab, strict=True)
        self.assertEqual(sum(quant.mapped("quantity")), 5)
        self.assertLessEqual(sum(quant.mapped("reserved_quantity")), 5)
        self.assertLessEqual(picking.move_ids.quantity, 5)  # what was used is no longer promised

    def test_push_rules_and_serials_still_go_through_odoo(self):
        route = self.env["stock.route"].create(
            {
                "name": "Cab T1 restocks store T1",
                "product_selectable": True,
                "rule_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "push cab to store",
                            "action": "push",
                            "location_src_id": self.cab.id,
                            "location_dest_id": self.store.id,
                            "picking_type_id": self.env["stock.picking.type"]
                            .search([("code", "=", "internal"), ("company_id", "=", self.company.id)], limit=1)
                            .id,
                            "auto": "manual",
                        },
                    )
                ],
            }
        )
        self.gauze.route_ids = [(4, route.id)]
        msg = self.send(
            self.event(type="inventory.receipt", item={"code": "T-GAUZE"}, quantity=3, lot=None, expiry=None)
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        received = self.moves_of(msg)
        self.assertTrue(received.move_dest_ids, "the push rule made its follow-up move")
        self.assertEqual(received.move_dest_ids.location_dest_id, self.store)
        used = self.send(self.event(item={"code": "T-IMP"}, quantity=1, lot=None, expiry=None, serial="SN-1"))
        self.assertEqual(used.state, "done", used.error_detail)
        self.assertEqual(self.qty(self.implant, self.cab, self.serial), 0)

    def test_switch_sends_everything_through_odoo(self):
        self.ICP.set_param("hc.direct_posting", "0")
        self.assertEqual(self.env["stock.move"]._hc_direct_ok([object()]), [False])
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 38)

    def test_audit_ties_each_direct_move_to_its_own_message(self):
        if "hc.audit.event" not in self.env:
            self.skipTest("healthcare_audit is not installed")
        a, b = self.send(self.event(quantity=1), self.event(quantity=2))
        for msg in (a, b):
            self.assertEqual(msg.state, "done", msg.error_detail)
            move = self.moves_of(msg)
            trail = self.env["hc.audit.event"].sudo().search([("model", "=", "stock.move"), ("res_id", "=", move.id)])
            self.assertEqual(len(trail), 1)
            self.assertEqual(trail.action, "state")
            self.assertEqual(trail.message_id, msg.id)
            self.assertEqual(trail.interface, f"webhook:{self.endpoint.code}")
            changes = json.loads(trail.changes) if isinstance(trail.changes, str) else trail.changes
            self.assertEqual(changes["state"]["new"], "done")
            self.assertEqual(changes["quantity"]["new"], move.quantity)


class TestMappingUniqueness(InventoryCase):
    def test_one_mapping_per_code_also_without_facility(self):
        Mapping = self.env["hc.item.mapping"]
        vals = {"endpoint_id": self.endpoint.id, "external_code": "CAB-42", "product_id": self.gauze.id}
        Mapping.create(vals)
        with self.assertRaisesRegex(ValidationError, "CAB-42 is already mapped"):
            Mapping.create(vals)
        Mapping.create({**vals, "facility": "GENHOSP"})  # a facility's own mapping is another one
        with self.assertRaises(ValidationError):
            Mapping.create({**vals, "facility": "GENHOSP"})
        # the database refuses it too, whoever writes it
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            self.env.cr.execute(
                "INSERT INTO hc_item_mapping (endpoint_id, external_code, product_id, active) "
                "VALUES (%s, %s, %s, true)",
                (self.endpoint.id, "CAB-42", self.saline.id),
            )
