"""Inventory events through the real queue: ingest, process, and the stock they leave."""

import hashlib
import json
import uuid
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase


class InventoryCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.endpoint = env["hc.endpoint"].create({"name": "ICU cabinets", "code": "inv-test-cab"})
        wh = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        Location = env["stock.location"]
        cls.cab = Location.create(
            {"name": "Cab T1", "barcode": "T-CAB-1", "usage": "internal", "location_id": wh.lot_stock_id.id}
        )
        cls.store = Location.create(
            {"name": "Store T1", "barcode": "T-STORE-1", "usage": "internal", "location_id": wh.lot_stock_id.id}
        )
        cls.unit = env.ref("uom.product_uom_unit")
        Product = env["product.product"]
        cls.saline = Product.create(
            {
                "name": "Saline T",
                "default_code": "T-NS",
                "barcode": "4006381333931",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )
        cls.implant = Product.create(
            {"name": "Implant T", "default_code": "T-IMP", "is_storable": True, "tracking": "serial"}
        )
        cls.gauze = Product.create({"name": "Gauze T", "default_code": "T-GAUZE", "is_storable": True})
        Lot = env["stock.lot"]
        cls.lot = Lot.create({"name": "TL-1", "product_id": cls.saline.id, "expiration_date": datetime(2027, 5, 31)})
        cls.expired = Lot.create(
            {"name": "TL-OLD", "product_id": cls.saline.id, "expiration_date": datetime(2025, 1, 31)}
        )
        cls.serial = Lot.create({"name": "SN-1", "product_id": cls.implant.id})
        Quant = env["stock.quant"]
        for product, lot, qty in (
            (cls.saline, cls.lot, 40),
            (cls.saline, cls.expired, 5),
            (cls.implant, cls.serial, 1),
            (cls.gauze, None, 10),
        ):
            Quant._update_available_quantity(product, cls.cab, qty, lot_id=lot)
        cls.Message = env["hc.inbound.message"]

    # -------------------------------------------------------------- helpers
    def event(self, **overrides):
        ev = {
            "id": f"t-{uuid.uuid4().hex[:10]}",
            "type": "inventory.consumption",
            "schema_version": "1.0",
            "occurred_at": "2026-11-20T07:41:39Z",
            "source": {"system": "cab", "facility": "GENHOSP"},
            "location": "T-CAB-1",
            "item": {"code": "T-NS"},
            "quantity": 2,
            "uom": "EA",
            "lot": "TL-1",
            "expiry": "2027-05-31",
        }
        ev.update(overrides)
        return ev

    def send(self, *events, message_type=None, endpoint=None):
        endpoint = endpoint or self.endpoint
        self.env.registry.clear_cache()
        ctx = self.env["hc.endpoint"]._auth_context(endpoint.code)
        docs = []
        for ev in events:
            text = json.dumps(ev)
            docs.append(
                {
                    "key": ev.get("id") or ev.get("resourceType", "") + "/" + ev.get("id", ""),
                    "body_hash": hashlib.sha256(text.encode()).hexdigest(),
                    "message_type": message_type or ev.get("type"),
                    "payload": text,
                    "occurred_at": fields.Datetime.to_datetime(ev.get("occurred_at", "")[:19].replace("T", " "))
                    if ev.get("occurred_at")
                    else None,
                }
            )
        results = self.Message._ingest(ctx, docs, {"correlation_id": "c", "content_type": "application/json"})
        self.Message.process_pending(commit=False, limit=1000)
        return self.Message.browse([r["message_id"] for r in results])

    def qty(self, product, location, lot=None):
        return self.env["stock.quant"]._get_available_quantity(
            product, location, lot_id=lot, strict=True, allow_negative=True
        )

    def lot_expiring_soon(self):
        """Lot TL-SOON of the saline, expiring in 20 days, 8 of it in store T1 at 2.5 each."""
        soon = self.env["stock.lot"].create(
            {
                "name": "TL-SOON",
                "product_id": self.saline.id,
                "expiration_date": fields.Datetime.now() + timedelta(days=20),
            }
        )
        self.saline.standard_price = 2.5
        self.env["stock.quant"]._update_available_quantity(self.saline, self.store, 8, lot_id=soon)
        return soon

    def assert_failed(self, msg, code):
        self.assertEqual((msg.state, msg.error_class, msg.error_code), ("failed", "business", code), msg.error_detail)
        self.assertEqual(msg.exception_id.code, code)


class TestPosting(InventoryCase):
    def test_consumption_posts_a_done_move_dated_when_it_happened(self):
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        move = self.env["stock.move"].browse(json.loads(msg.result_ids))
        self.assertEqual(move.state, "done")
        self.assertEqual(move.location_dest_id.hc_usage_kind, "consumption")
        self.assertEqual(move.move_line_ids.lot_id, self.lot)
        self.assertEqual(move.date, datetime(2026, 11, 20, 7, 41, 39))
        self.assertEqual(move.move_line_ids.date, datetime(2026, 11, 20, 7, 41, 39))
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 38)

    def test_gtin_by_value_and_gs1_string(self):
        a = self.send(self.event(item={"gtin": "04006381333931"}))
        b = self.send(self.event(item={"gs1": "(01)04006381333931(17)270531(10)TL-1"}, lot=None, expiry=None))
        self.assertEqual((a.state, b.state), ("done", "done"), (a.error_detail, b.error_detail))
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 36)

    def test_waste_return_transfer_receipt(self):
        self.send(self.event(type="inventory.waste", quantity=1))
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 39)
        self.send(self.event(type="inventory.return", quantity=3))
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 42)
        self.send(self.event(type="inventory.transfer", quantity=5, to_location="T-STORE-1"))
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 37)
        self.assertEqual(self.qty(self.saline, self.store, self.lot), 5)
        msg = self.send(
            self.event(type="inventory.receipt", location="T-STORE-1", lot="TL-NEW", expiry="2028-01-31", quantity=12)
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        new_lot = self.env["stock.lot"].search([("name", "=", "TL-NEW"), ("product_id", "=", self.saline.id)])
        self.assertEqual(new_lot.expiration_date.date().isoformat(), "2028-01-31", "a scanned-in lot is created")
        self.assertEqual(self.qty(self.saline, self.store, new_lot), 12)

    def test_count_feeds_reconciliation_without_moving_stock(self):
        msg = self.send(self.event(type="inventory.count", quantity=37))
        self.assertEqual(msg.state, "done")
        count = self.env["hc.stock.count"].browse(json.loads(msg.result_ids))
        self.assertEqual(
            (count.odoo_qty, count.external_qty, count.variance_qty, count.classification), (40, 37, -3, "short")
        )
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 40)

    def test_batch_of_mixed_events_each_stands_alone(self):
        msgs = self.send(
            self.event(),
            self.event(item={"code": "NOPE"}),
            self.event(quantity=3),
            self.event(lot="TL-OLD", expiry="2025-01-31"),
        )
        self.assertEqual(msgs.mapped("state"), ["done", "failed", "done", "failed"])
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 35)

    def test_out_of_order_arrival_ends_in_the_same_stock(self):
        later = self.event(type="inventory.receipt", quantity=10, occurred_at="2026-11-21T10:00:00Z")
        earlier = self.event(quantity=45, occurred_at="2026-11-21T09:00:00Z")
        self.send(later)
        self.send(earlier)
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 40 + 10 - 45)

    def test_reversal_undoes_once_and_waits_for_a_late_original(self):
        original = self.event(quantity=4)
        self.send(original)
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 36)
        rev = self.send(self.event(reverses=original["id"], quantity=4))
        self.assertEqual(rev.state, "done", rev.error_detail)
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 40)
        again = self.send(self.event(reverses=original["id"], quantity=4))
        self.assertEqual(again.state, "done")
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 40, "a second reversal has no effect")
        early = self.send(self.event(reverses="not-yet-here"))
        self.assertEqual((early.state, early.error_code), ("retry", "reversal_pending"))
        self.endpoint.hc_reversal_wait_minutes = 0
        early.sudo().write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.Message.process_pending(commit=False)
        self.assert_failed(early, "reversal_unknown")

    def test_pending_reversal_outlives_the_retry_budget(self):
        """Waiting for a late original is bounded by hc_reversal_wait_minutes, not by max_attempts."""
        self.endpoint.write({"max_attempts": 1, "hc_reversal_wait_minutes": 60})
        early = self.send(self.event(reverses="late-original"))
        self.assertEqual((early.state, early.error_code), ("retry", "reversal_pending"))
        self.assertTrue(early.next_attempt_at <= early.received_at + timedelta(minutes=60, seconds=1))
        original = self.event(quantity=3)
        original["id"] = "late-original"
        self.send(original)
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 37)
        early.sudo().write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.Message.process_pending(commit=False)
        self.assertEqual(early.state, "done", early.error_detail)
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 40, "the late original is undone")


class TestValidation(InventoryCase):
    def test_unknowns(self):
        self.assert_failed(self.send(self.event(item={"code": "NOPE"})), "item_unknown")
        self.assert_failed(self.send(self.event(location="NOWHERE")), "location_unknown")
        self.assert_failed(self.send(self.event(uom="FURLONG")), "uom_unknown")
        self.assert_failed(self.send(self.event(uom="KG")), "uom_incompatible")
        self.assert_failed(self.send(self.event(lot=None)), "lot_required")
        self.assert_failed(self.send(self.event(lot="TL-404")), "lot_unknown")
        self.assert_failed(self.send(self.event(expiry="2027-06-30")), "lot_expiry_mismatch")
        self.assert_failed(self.send(self.event(item={"gtin": "04006381333932"})), "gtin_check_digit")
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 40, "nothing posted")

    def test_fixing_master_data_and_retrying_the_cause_posts(self):
        msgs = self.send(self.event(item={"code": "CAB-ITEM-9"}), self.event(item={"code": "CAB-ITEM-9"}))
        exception = msgs.exception_id
        self.assertEqual(len(exception), 1, "one exception for one cause")
        self.env["hc.item.mapping"].create(
            {"endpoint_id": self.endpoint.id, "external_code": "CAB-ITEM-9", "product_id": self.saline.id}
        )
        exception.action_retry_messages()
        self.assertEqual(set(msgs.mapped("state")), {"done"})
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 36)

    def test_expired_and_quarantined_lots_need_an_approver(self):
        approver = self.env["res.users"].create(
            {
                "name": "Pharmacist",
                "login": "pharm-t",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("healthcare_integration_base.group_hc_approver").id,
                            self.env.ref("base.group_user").id,
                        ],
                    )
                ],
            }
        )
        msg = self.send(self.event(lot="TL-OLD", expiry="2025-01-31", quantity=1))
        self.assert_failed(msg, "lot_expired")
        msg.exception_id.with_user(approver).action_approve("Only lot available, physician approved")
        self.assertEqual(msg.state, "done")
        self.assertEqual(self.qty(self.saline, self.cab, self.expired), 4)
        self.lot.action_hc_quarantine("Supplier recall R-12")
        self.assertTrue(self.lot.hc_quarantined and self.lot.hc_quarantined_by_id)
        self.assert_failed(self.send(self.event()), "lot_quarantined")

    def test_serials(self):
        ev = {"item": {"code": "T-IMP"}, "lot": None, "expiry": None, "quantity": 1}
        self.assert_failed(self.send(self.event(**ev)), "serial_required")
        self.assertEqual(self.send(self.event(**ev, serial="SN-1")).state, "done")
        self.assert_failed(self.send(self.event(**ev, serial="SN-1")), "serial_already_consumed")

    def test_insufficient_stock_post_and_flag_or_hold(self):
        msg = self.send(self.event(item={"code": "T-GAUZE"}, lot=None, expiry=None, quantity=15))
        self.assertEqual(msg.state, "done")
        self.assertEqual(self.qty(self.gauze, self.cab), -5)
        flag = self.env["hc.exception"].search([("code", "=", "negative_stock"), ("res_id", "=", self.cab.id)])
        self.assertEqual(len(flag), 1, "posted, and flagged for reconciliation")
        self.endpoint.hc_negative_stock_policy = "hold"
        held = self.send(self.event(item={"code": "T-GAUZE"}, lot=None, expiry=None, quantity=1))
        self.assert_failed(held, "negative_stock")
        self.assertEqual(self.qty(self.gauze, self.cab), -5)


class TestFhir(InventoryCase):
    def test_supply_delivery_and_medication_dispense(self):
        delivery = {
            "resourceType": "SupplyDelivery",
            "id": "sd1",
            "status": "completed",
            "occurrenceDateTime": "2026-11-20T08:00:00Z",
            "destination": {"reference": "Location/T-STORE-1"},
            "suppliedItem": {"quantity": {"value": 6}, "itemCodeableConcept": {"coding": [{"code": "T-GAUZE"}]}},
        }
        msg = self.send(delivery, message_type="SupplyDelivery")
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual(self.qty(self.gauze, self.store), 6)
        dispense = {
            "resourceType": "MedicationDispense",
            "id": "md1",
            "status": "completed",
            "whenHandedOver": "2026-11-20T09:00:00Z",
            "location": {"reference": "Location/T-CAB-1"},
            "quantity": {"value": 2, "code": "EA"},
            "medicationCodeableConcept": {"coding": [{"system": "http://gs1.org/gtin", "code": "04006381333931"}]},
            "contained": [],
            "subject": {"reference": "ph_abc"},
        }
        dispense_lot = dict(dispense, id="md2")
        self.assert_failed(self.send(dispense, message_type="MedicationDispense"), "lot_required")
        self.assertEqual(self.send(dispense_lot, message_type="MedicationDispense").error_code, "lot_required")

    def test_unmappable_names_the_missing_path(self):
        msg = self.send(
            {"resourceType": "MedicationDispense", "id": "md9", "status": "completed"},
            message_type="MedicationDispense",
        )
        self.assert_failed(msg, "fhir_unmappable")
        self.assertIn("$.whenHandedOver", msg.error_detail)


class TestExpiryRisk(InventoryCase):
    def test_report_and_one_activity_per_lot(self):
        soon = self.lot_expiring_soon()
        Risk = self.env["hc.expiry.risk"]
        row = Risk.search([("lot_id", "=", soon.id)])
        self.assertEqual((row.location_id, row.quantity, row.value), (self.store, 8, 20))
        self.assertTrue(19 <= row.days_left <= 20)
        self.assertFalse(Risk.search([("lot_id", "=", self.lot.id), ("days_left", "<=", 90)]))
        made = Risk._cron_expiry_activities()
        self.assertGreaterEqual(made, 1)
        self.assertEqual(len(soon.activity_ids), 1)
        Risk._cron_expiry_activities()
        self.assertEqual(len(soon.activity_ids), 1, "one activity per lot, not one per day")


class TestReconciliation(InventoryCase):
    def test_counts_to_approved_adjustment(self):
        self.send(self.event(type="inventory.count", quantity=37))
        proposer = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "clerk-t",
                "email": "clerk@example.com",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("healthcare_integration_base.group_hc_manager").id,
                            self.env.ref("base.group_user").id,
                        ],
                    )
                ],
            }
        )
        approver = self.env["res.users"].create(
            {
                "name": "Approver",
                "login": "appr-t",
                "email": "appr@example.com",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("healthcare_integration_base.group_hc_approver").id,
                            self.env.ref("base.group_user").id,
                        ],
                    )
                ],
            }
        )
        run = self.env["hc.reconciliation.run"].with_user(proposer).create({"endpoint_id": self.endpoint.id})
        run.action_load_counts()
        line = run.line_ids.filtered(lambda line: line.lot_id == self.lot)
        self.assertEqual((line.odoo_qty, line.external_qty, line.classification), (40, 37, "short"))
        run.action_propose()
        with self.assertRaises(UserError):
            run.with_user(proposer).action_approve("mine")
        run.with_user(approver).action_approve("Cabinet count confirmed by the charge nurse")
        self.assertEqual(run.state, "applied")
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 37, "applied through Odoo's inventory adjustment")

    def test_csv_upload(self):
        import base64

        csv_text = "location,item,lot,quantity\nT-CAB-1,T-NS,TL-1,40\nT-CAB-1,T-GAUZE,,12\nT-CAB-1,T-NS,TL-ZZ,3\n"
        run = self.env["hc.reconciliation.run"].create({"csv_file": base64.b64encode(csv_text.encode())})
        run.action_load_csv()
        self.assertEqual(sorted(run.line_ids.mapped("classification")), ["match", "over", "unknown_lot"])


class TestEventAccounting(InventoryCase):
    def test_every_event_has_an_outcome_or_is_listed(self):
        self.send(self.event(), self.event(item={"code": "NOPE"}))
        ctx = self.env["hc.endpoint"]._auth_context(self.endpoint.code)
        self.Message._ingest(
            ctx,
            [{"key": "pending-1", "body_hash": "x", "message_type": "inventory.consumption", "payload": "{}"}],
            {"correlation_id": "c"},
        )
        rows = self.env["hc.event.accounting"].search([("endpoint_id", "=", self.endpoint.id)])
        by_outcome = {(r.outcome, r.cause): r.event_count for r in rows}
        self.assertEqual(by_outcome, {("done", False): 1, ("waiting", "item_unknown"): 1, ("no_outcome", False): 1})
