"""The pharmacist sees product, lot, quantity with unit, locations, time and sender, not JSON."""

from datetime import datetime

from .test_inventory_events import InventoryCase


class TestEventDisplay(InventoryCase):
    def test_message_and_exception_show_the_event_in_odoo_terms(self):
        msg = self.send(self.event(lot="TL-OLD", expiry="2025-01-31", quantity=2))
        self.assertEqual((msg.state, msg.error_code), ("failed", "lot_expired"))
        self.assertEqual(msg.hc_event_kind, "consumption")
        self.assertEqual(msg.hc_product_id, self.saline)
        self.assertEqual(msg.hc_lot_id, self.expired)
        self.assertEqual(msg.hc_quantity, 2)
        self.assertEqual(msg.hc_uom_id, self.saline.uom_id)
        self.assertEqual(msg.hc_quantity_display, f"2 {self.saline.uom_id.name}")
        self.assertEqual(msg.hc_location_id, self.cab)
        self.assertEqual(msg.hc_source_system, "cab")
        self.assertEqual(msg.occurred_at, datetime(2026, 11, 20, 7, 41, 39))
        # stored: the list filters and groups by them
        Message = self.env["hc.inbound.message"]
        self.assertIn(
            msg, Message.search([("hc_product_id", "=", self.saline.id), ("hc_lot_id", "=", self.expired.id)])
        )
        self.assertIn(msg, Message.search([("hc_location_id", "child_of", self.cab.location_id.id)]))
        exception = msg.exception_id
        self.assertEqual((exception.hc_product_id, exception.hc_lot_id), (self.saline, self.expired))
        self.assertEqual(exception.hc_location_id, self.cab)
        self.assertIn("2025-01-31 (expired", exception.hc_lot_expiry)
        self.assertEqual(
            exception.hc_effect,
            f"consume 2 {self.saline.uom_id.name} × {self.saline.display_name} lot TL-OLD from "
            f"{self.cab.display_name}, expired 2025-01-31",
        )
        self.assertTrue(exception.approvable)
        self.assertFalse(exception.can_retry, "retrying an expired lot cannot help")

    def test_an_unknown_item_offers_the_mapping_not_an_approval(self):
        msg = self.send(self.event(item={"code": "CAB-XYZ"}))
        exception = msg.exception_id
        self.assertEqual(exception.code, "item_unknown")
        self.assertFalse(exception.approvable)
        self.assertTrue(exception.can_retry)
        self.assertFalse(msg.hc_product_id)
        self.assertEqual(msg.hc_item_code, "CAB-XYZ")
        action = exception.action_hc_map_item()
        self.assertEqual(action["res_model"], "hc.item.mapping")
        self.assertEqual(action["context"]["default_external_code"], "CAB-XYZ")
        self.assertEqual(action["context"]["default_endpoint_id"], self.endpoint.id)
        # the fix, then the retry, posts it
        self.env["hc.item.mapping"].create(
            {"endpoint_id": self.endpoint.id, "external_code": "CAB-XYZ", "product_id": self.saline.id}
        )
        exception.action_retry_messages()
        self.assertEqual(msg.state, "done")

    def test_an_unknown_lot_opens_a_new_lot_prefilled(self):
        msg = self.send(self.event(lot="TL-NEW", expiry="2027-06-30"))
        exception = msg.exception_id
        self.assertEqual(exception.code, "lot_unknown")
        action = exception.action_hc_open_lot()
        self.assertEqual(action["res_model"], "stock.lot")
        self.assertEqual(action["context"]["default_name"], "TL-NEW")
        self.assertEqual(action["context"]["default_product_id"], self.saline.id)
        self.assertEqual(action["context"]["default_expiration_date"], datetime(2027, 6, 30))

    def test_a_gs1_scan_and_a_fhir_dispense_are_read_too(self):
        msg = self.send(self.event(item={"gs1": "(01)04006381333931(17)270531(10)TL-1"}, lot=None, expiry=None))
        self.assertEqual((msg.hc_product_id, msg.hc_lot_id), (self.saline, self.lot))

    def test_a_location_outside_the_endpoints_facilities_is_not_shown_as_resolved(self):
        """The display reads codes through the processor's own lookups: a location the endpoint may
        not move stock in is not shown as the message's location, as processing refuses it."""
        other_wh = self.env["stock.warehouse"].create({"name": "Other Site T", "code": "OST"})
        self.endpoint.hc_warehouse_ids = [(6, 0, [other_wh.id])]
        msg = self.send(self.event())
        self.assertEqual((msg.state, msg.error_code), ("failed", "location_unknown"))
        self.assertEqual(msg.hc_product_id, self.saline, "the product is still read")
        self.assertEqual(msg.hc_location_code, "T-CAB-1")
        self.assertFalse(msg.hc_location_id)
        self.endpoint.hc_warehouse_ids = [(6, 0, [self.cab.warehouse_id.id])]
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual(msg.hc_location_id, self.cab)
