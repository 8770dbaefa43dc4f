"""Requisitions through the real queue: budget check, routing, decisions, fulfilment, events."""

import hashlib
import json
import uuid
from datetime import date
from pathlib import Path

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user

FHIR_SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "tests"
    / "samples"
    / "fhir"
    / "SupplyRequest-dmi-supplyrequest-entete-commande-example.json"
)


def message(body, message_type="requisition"):
    text = json.dumps(body, sort_keys=True)
    key = body.get("id") if message_type == "requisition" else f"SupplyRequest/{body['id']}"
    return {
        "key": key,
        "body_hash": hashlib.sha256(text.encode()).hexdigest(),
        "message_type": message_type,
        "payload": text,
    }


class RequisitionSetup(TransactionCase):
    """The organisation, stock and budget every requisition test (and the tour) starts from."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.currency = cls.company.currency_id
        cls.endpoint = env["hc.endpoint"].create(
            {"name": "Ward system", "code": "req-test-ward", "outbound_url": "https://ward.example/events"}
        )
        env["hc.event.subscription"].create({"endpoint_id": cls.endpoint.id, "event_type": "requisition.*"})
        Location = env["stock.location"]
        cls.wh = env["stock.warehouse"].create({"name": "Test Hospital", "code": "TREQ"})
        cls.central = env["stock.warehouse"].create({"name": "Test Central", "code": "TCEN"})
        cls.ward = Location.create(
            {"name": "Ward 3", "barcode": "T-WARD-3", "usage": "internal", "location_id": cls.wh.lot_stock_id.id}
        )
        cls.store = Location.create(
            {"name": "Ward Store", "barcode": "T-REQ-STORE", "usage": "internal", "location_id": cls.wh.lot_stock_id.id}
        )
        cls.supplier = env["res.partner"].create({"name": "Test MedSupply"})
        Product = env["product.product"]
        cls.gloves = Product.create(
            {"name": "Gloves T", "default_code": "T-GLV", "is_storable": True, "standard_price": 2.0}
        )
        cls.syringe = Product.create(
            {
                "name": "Syringe T",
                "default_code": "T-SYR",
                "is_storable": True,
                "standard_price": 1.0,
                "seller_ids": [Command.create({"partner_id": cls.supplier.id, "price": 0.8})],
            }
        )
        cls.pump = Product.create(
            {
                "name": "Pump T",
                "default_code": "T-PUMP",
                "is_storable": True,
                "seller_ids": [Command.create({"partner_id": cls.supplier.id, "price": 900.0})],
            }
        )
        env["stock.quant"]._update_available_quantity(cls.gloves, cls.store, 100)
        # the organisation: Medicine > Ward 3, managers with limits
        Role = env["hc.workforce.role"]
        approver_group = env.ref("healthcare_workforce.group_hc_department_approver")
        cls.role_lead = Role.create(
            {
                "code": "T-LEAD",
                "name": "Ward lead",
                "group_ids": [Command.set(approver_group.ids)],
                "limit_ids": [Command.create({"currency_id": cls.currency.id, "amount": 500})],
            }
        )
        cls.role_dir = Role.create(
            {
                "code": "T-DIR",
                "name": "Director",
                "group_ids": [Command.set(approver_group.ids)],
                "limit_ids": [Command.create({"currency_id": cls.currency.id, "amount": 50000})],
            }
        )
        cls.u_lead = new_test_user(env, "t_lead", groups="healthcare_workforce.group_hc_department_approver")
        cls.u_dir = new_test_user(env, "t_dir", groups="healthcare_workforce.group_hc_department_approver")
        cls.u_nurse = new_test_user(env, "t_nurse", groups="healthcare_workforce.group_hc_requester")
        Emp = env["hr.employee"]
        cls.director = Emp.create(
            {"name": "Director", "hc_external_id": "T-DIR1", "user_id": cls.u_dir.id, "hc_role_id": cls.role_dir.id}
        )
        cls.lead = Emp.create(
            {
                "name": "Lead",
                "hc_external_id": "T-LEAD1",
                "user_id": cls.u_lead.id,
                "hc_role_id": cls.role_lead.id,
                "parent_id": cls.director.id,
            }
        )
        Dept = env["hr.department"]
        cls.medicine = Dept.create({"name": "Medicine T", "hc_code": "T-MED", "manager_id": cls.director.id})
        cls.cc = env["account.analytic.account"].create(
            {
                "name": "Ward 3 costs",
                "code": "T-CC3",
                "plan_id": env.ref("healthcare_workforce.analytic_plan_cost_centres").id,
            }
        )
        cls.ward3 = Dept.create(
            {
                "name": "Ward 3 T",
                "hc_code": "T-W3",
                "parent_id": cls.medicine.id,
                "manager_id": cls.lead.id,
                "hc_location_id": cls.ward.id,
                "hc_cost_center_id": cls.cc.id,
            }
        )
        cls.nurse = Emp.create(
            {
                "name": "Nurse",
                "hc_external_id": "T-N1",
                "user_id": cls.u_nurse.id,
                "department_id": cls.ward3.id,
                "parent_id": cls.lead.id,
            }
        )
        cls.budget = env["hc.budget"].create(
            {
                "department_id": cls.ward3.id,
                "date_from": date(2000, 1, 1),
                "date_to": date(2100, 12, 31),
                "amount": 1000,
            }
        )

    def req_body(self, items, **extra):
        return {
            "id": f"req-{uuid.uuid4().hex[:10]}",
            "type": "requisition",
            "requester": "T-N1",
            "department": "T-W3",
            "deliver_to": "T-WARD-3",
            "priority": "routine",
            "items": items,
            **extra,
        }

    def send(self, *docs):
        Message = self.env["hc.inbound.message"]
        ctx = self.env["hc.endpoint"]._auth_context(self.endpoint.code)
        meta = {
            "correlation_id": "corr-req",
            "content_type": "application/json",
            "webhook_id": "w",
            "client_ip": "127.0.0.1",
        }
        res = Message._ingest(ctx, list(docs), meta)
        Message.process_pending(commit=False, limit=1000)
        return Message.browse([r["message_id"] for r in res])

    def requisition(self, msg):
        self.assertEqual(msg.state, "done", msg.error_detail)
        return self.env["hc.requisition"].search([("message_id", "=", msg.id)])

    def events(self, req):
        out = (
            self.env["hc.outbound.message"]
            .sudo()
            .search([("res_model", "=", "hc.requisition"), ("res_id", "=", req.id)], order="id")
        )
        return [json.loads(o.payload) for o in out]


class BudgetRightsCase(RequisitionSetup):
    def test_buyers_read_budgets_purchase_managers_set_them(self):
        """A buyer orders against the budgets but does not set them: raising one would let a
        department's requisitions through without their approver (probe as an RPC client)."""
        buyer = new_test_user(self.env, "t_budget_buyer", groups="healthcare_workforce.group_hc_buyer")
        manager = new_test_user(
            self.env,
            "t_budget_mgr",
            groups="healthcare_workforce.group_hc_buyer,purchase.group_purchase_manager",
        )
        self.assertEqual(self.budget.with_user(buyer).amount, 1000)
        with self.assertRaises(AccessError):
            self.budget.with_user(buyer).write({"amount": 1000000})
        with self.assertRaises(AccessError):
            self.env["hc.budget"].with_user(buyer).create(
                {"department_id": self.ward3.id, "date_from": date(2101, 1, 1), "date_to": date(2101, 12, 31)}
            )
        with self.assertRaises(AccessError):
            self.budget.with_user(buyer).unlink()
        self.assertEqual(self.budget.amount, 1000)
        self.budget.with_user(manager).write({"amount": 1500})
        self.assertEqual(self.budget.amount, 1500)


class RequisitionCase(RequisitionSetup):
    # ------------------------------------------------------------------ within budget
    def test_within_budget_on_hand_becomes_a_transfer_without_a_person(self):
        req = self.requisition(
            self.send(message(self.req_body([{"item": {"code": "T-GLV"}, "quantity": 10, "uom": "EA"}])))
        )
        self.assertEqual(req.state, "ordered")
        line = req.line_ids
        self.assertEqual(line.fulfilment, "transfer")
        self.assertEqual(line.picking_id.location_id, self.store)
        self.assertEqual(line.picking_id.location_dest_id, self.ward)
        self.assertEqual(line.picking_id.state, "assigned")
        events = self.events(req)
        self.assertEqual([e["type"] for e in events], ["requisition.approved", "requisition.ordered"])
        self.assertEqual({e["correlation_id"] for e in events}, {"corr-req"})
        # the store hands it over: delivered, published once
        line.picking_id.button_validate()
        self.assertEqual(req.state, "done")
        self.assertEqual(line.qty_received, 10)
        self.assertEqual([e["type"] for e in self.events(req)][-1], "requisition.delivered")

    def test_not_on_hand_becomes_draft_rfq_lines_grouped_per_supplier(self):
        m1, m2 = self.send(
            message(self.req_body([{"item": {"code": "T-SYR"}, "quantity": 100}])),
            message(self.req_body([{"item": {"code": "T-SYR"}, "quantity": 50}])),
        )
        r1, r2 = self.requisition(m1), self.requisition(m2)
        self.assertEqual((r1.state, r2.state), ("ordered", "ordered"))
        pol1, pol2 = r1.line_ids.purchase_line_id, r2.line_ids.purchase_line_id
        self.assertEqual(r1.line_ids.fulfilment, "purchase")
        self.assertEqual(pol1.order_id, pol2.order_id, "one RFQ per supplier")
        self.assertEqual(pol1.order_id.state, "draft")
        self.assertEqual(pol1.order_id.partner_id, self.supplier)
        self.assertEqual(pol1.price_unit, 0.8, "the contract price")
        self.assertEqual(pol1.product_qty, 100)
        self.assertEqual(pol1.analytic_distribution, {str(self.cc.id): 100})
        # committed: the approved requisitions count against the budget until the order is confirmed
        self.budget.invalidate_recordset()
        self.assertAlmostEqual(self.budget.committed, 120.0)
        pol1.order_id.button_confirm()
        self.budget.invalidate_recordset()
        self.assertAlmostEqual(self.budget.committed_orders, 120.0)
        self.assertAlmostEqual(self.budget.committed_requisitions, 0.0)
        # received in part, then the rest
        picking = pol1.order_id.picking_ids
        picking.move_ids.filtered(lambda m: m.purchase_line_id == pol1).write({"quantity": 40, "picked": True})
        picking.move_ids.filtered(lambda m: m.purchase_line_id == pol2).write({"quantity": 50, "picked": True})
        picking.with_context(skip_backorder=True).button_validate()
        self.assertEqual(pol1.qty_received, 40)
        self.assertEqual(r1.state, "partially_received")
        self.assertEqual(r2.state, "done")
        self.assertEqual(r1.line_ids.qty_received, 40)
        self.assertIn("requisition.partially_received", [e["type"] for e in self.events(r1)])

    # ------------------------------------------------------------------ over budget: routing and decisions
    def test_over_budget_waits_for_the_approver_one_level_up(self):
        req = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-PUMP"}, "quantity": 2}]))))
        self.assertEqual(req.state, "waiting_approval")
        self.assertTrue(req.over_budget)
        self.assertEqual(req.approver_id, self.u_dir)
        act = req.activity_ids
        self.assertEqual(act.user_id, self.u_dir)
        self.assertEqual(
            act.activity_type_id, self.env.ref("healthcare_requisition.mail_activity_requisition_approval")
        )
        self.assertFalse(req.line_ids.picking_id or req.line_ids.purchase_line_id, "nothing ordered yet")
        with self.assertRaises(AccessError):
            req.with_user(self.u_lead).action_approve("looks fine")  # not the lead's decision
        with self.assertRaises(UserError):
            req.with_user(self.u_nurse).action_approve("mine")
        req.with_user(self.u_dir).action_approve("Pump replacement agreed")
        self.assertEqual(req.state, "ordered")
        self.assertEqual(req.decided_by_id, self.u_dir)
        self.assertEqual(req.line_ids.purchase_line_id.product_qty, 2)
        self.assertFalse(req.activity_ids)
        self.assertEqual([e["type"] for e in self.events(req)], ["requisition.approved", "requisition.ordered"])

    def test_reject_tells_the_department_why(self):
        req = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-PUMP"}, "quantity": 2}]))))
        with self.assertRaises(UserError):
            req.with_user(self.u_dir).action_reject("  ")
        req.with_user(self.u_dir).action_reject("Use the pool pumps")
        self.assertEqual(req.state, "rejected")
        ev = self.events(req)[-1]
        self.assertEqual(ev["type"], "requisition.rejected")
        self.assertEqual(ev["data"]["reason"], "Use the pool pumps")

    def test_above_auto_limit_goes_to_the_manager_whose_limit_covers_it(self):
        self.company.hc_requisition_auto_approve_limit = 10
        self.budget.amount = 100000
        req = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-SYR"}, "quantity": 100}]))))
        self.assertEqual(req.approver_id, self.u_lead, "80 is within the ward lead's 500")
        big = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-PUMP"}, "quantity": 1}]))))
        self.assertEqual(big.approver_id, self.u_dir, "900 is above the ward lead's 500: the director")

    def test_approver_leaving_moves_pending_approvals_to_their_manager(self):
        self.company.hc_requisition_auto_approve_limit = 10
        self.budget.amount = 100000
        req = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-SYR"}, "quantity": 100}]))))
        self.assertEqual(req.approver_id, self.u_lead)
        hr = self.env["hc.endpoint"].create({"name": "HR", "code": "req-test-hr"})
        body = {"id": "leaver-1", "type": "hr.employee", "external_id": "T-LEAD1", "name": "Lead", "active": False}
        Message = self.env["hc.inbound.message"]
        Message._ingest(
            self.env["hc.endpoint"]._auth_context(hr.code),
            [message(body, "hr.employee") | {"key": "leaver-1"}],
            {"correlation_id": "c", "content_type": "application/json", "webhook_id": "w", "client_ip": "1.1.1.1"},
        )
        Message.process_pending(commit=False, limit=100)
        self.assertFalse(self.lead.active)
        self.assertFalse(self.u_lead.active)
        self.assertEqual(req.approver_id, self.u_dir)
        self.assertEqual(req.activity_ids.user_id, self.u_dir)

    # ------------------------------------------------------------------ FHIR, priorities, errors
    def test_fhir_supply_request_sample_goes_through(self):
        resource = json.loads(FHIR_SAMPLE.read_text())
        self.env["hc.item.mapping"].create(
            {"endpoint_id": self.endpoint.id, "external_code": "CDM", "product_id": self.gloves.id}
        )
        self.env["hr.employee"].create(
            {"name": "DMI practitioner", "hc_external_id": "dmi-practitioner-example", "department_id": self.ward3.id}
        )
        self.env["hc.location.mapping"].create(
            {
                "endpoint_id": self.endpoint.id,
                "external_code": "dmi-organization-interne-example",
                "location_id": self.ward.id,
            }
        )
        msg = self.send(message(resource, "SupplyRequest"))
        req = self.requisition(msg)
        self.assertEqual(req.source, "fhir")
        self.assertEqual(req.external_ref, "SupplyRequest/dmi-supplyrequest-entete-commande-example")
        self.assertEqual(req.line_ids.product_id, self.gloves)
        self.assertEqual(req.line_ids.product_qty, 2)
        self.assertEqual(req.state, "ordered")

    def test_fhir_sample_without_mappings_waits_for_master_data(self):
        resource = json.loads(FHIR_SAMPLE.read_text())
        msg = self.send(message(resource, "SupplyRequest"))
        self.assertEqual(msg.state, "failed")
        self.assertEqual(msg.error_code, "requester_unknown")

    def test_stat_asks_for_the_highest_priority(self):
        Type = self.env["hc.message.type"]
        self.assertEqual(Type._document_priority("requisition", {"priority": "stat"}), 3)
        self.assertEqual(
            Type._document_priority("SupplyRequest", {"resourceType": "SupplyRequest", "priority": "asap"}), 2
        )
        self.assertIsNone(Type._document_priority("requisition", {}))

    def test_unknown_item_waits_and_creates_nothing(self):
        msg = self.send(message(self.req_body([{"item": {"code": "NOPE"}, "quantity": 1}])))
        self.assertEqual((msg.state, msg.error_code), ("failed", "item_unknown"))
        self.assertFalse(self.env["hc.requisition"].search([("message_id", "=", msg.id)]))

    def test_state_cannot_be_written_over_rpc(self):
        req = self.requisition(self.send(message(self.req_body([{"item": {"code": "T-PUMP"}, "quantity": 2}]))))
        with self.assertRaises(AccessError):
            req.with_user(self.u_dir).write({"state": "approved"})

    # ------------------------------------------------------------------ replenishment across sites
    def test_replenishment_central_store_first_then_purchase(self):
        self.wh.hc_central_warehouse_id = self.central
        self.env["stock.quant"]._update_available_quantity(self.syringe, self.central.lot_stock_id, 30)
        op = self.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": self.wh.id,
                "location_id": self.wh.lot_stock_id.id,
                "product_id": self.syringe.id,
                "product_min_qty": 20,
                "product_max_qty": 100,
                "trigger": "manual",
            }
        )
        shortage = self.env["hc.shortage"].search([("id", "=", op.id)])
        self.assertEqual((shortage.warehouse_id, shortage.shortage), (self.wh, 20))
        res = self.env["hc.replenishment"]._run(self.wh)
        self.assertEqual(res["pickings"].move_ids.product_uom_qty, 30)
        self.assertEqual(res["pickings"].location_id, self.central.lot_stock_id)
        self.assertEqual(res["purchase_lines"].product_qty, 70)
        self.assertEqual(res["purchase_lines"].order_id.partner_id, self.supplier)
        again = self.env["hc.replenishment"]._run(self.wh)
        self.assertFalse(again["pickings"] or again["purchase_lines"], "the forecast counts what is on its way")
