"""Recall over real HTTP, procurement side (issue 14): a lot comes in against a purchase order with
the supplier's ship notice (X12 856 posted to the supplier's endpoint), the receipt it prefilled is
validated, the lot moves to a ward cabinet and is used on patients (inventory events); a recall's
trace starts with that receipt (supplier, purchase order, ship notice, receipt, date) and every
pseudonymised encounter can be paged out over XML-RPC."""

import json
import uuid
from datetime import date, timedelta

import pytest
from pytest_httpserver import HTTPServer

from .conftest import event
from .test_inventory_http import on_hand, settled
from .test_procurement_flow_http import Partner
from .test_trust_boundaries import User


@pytest.fixture
def supplier_edi():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/edi", method="POST").respond_with_data("ok", status=200)
    yield server
    server.clear()
    server.stop()


def test_recall_trace_starts_with_the_ship_notice(odoo_server, db, supplier_edi):
    sup = Partner(odoo_server, "x12_4010", supplier_edi.url_for("/edi"), min_shelf_life_days=30)
    gloves = sup.product(1, tracking="lot", price=4.0)
    code, gtin = db.one("SELECT default_code, barcode FROM product_product WHERE id = %s", gloves)
    po = odoo_server.rpc(
        "purchase.order",
        "create",
        {
            "partner_id": sup.partner_id,
            "order_line": [(0, 0, {"product_id": gloves, "product_qty": 40, "price_unit": 4.0})],
        },
    )
    odoo_server.rpc("purchase.order", "button_confirm", [po])
    po_name, line_id = db.one(
        "SELECT o.name, l.id FROM purchase_order o JOIN purchase_order_line l ON l.order_id = o.id WHERE o.id = %s", po
    )
    lot = f"GL-{uuid.uuid4().hex[:6].upper()}"
    asn_number = f"ASN-{sup.tag}"
    status = sup.send(
        {
            "kind": "asn",
            "asn_number": asn_number,
            "po_numbers": [po_name],
            "ship_date": str(date.today()),
            "expected_date": str(date.today() + timedelta(days=1)),
            "lines": [
                {
                    "line_id": line_id,
                    "po_number": po_name,
                    "buyer_part": code,
                    "vendor_part": f"VP-{sup.tag}-1",
                    "gtin": gtin,
                    "quantity": "40",
                    "uom": "EA",
                    "lot": lot,
                    "expiry": str(date.today() + timedelta(days=400)),
                    "serials": [],
                    "sscc": None,
                    "udi": None,
                }
            ],
        }
    )
    assert status["status"] == "done", status
    asn_message = status["message_id"]
    picking, receipt_name, stock_barcode = db.one(
        "SELECT p.id, p.name, l.barcode FROM stock_picking p JOIN stock_location l ON l.id = p.location_dest_id "
        "WHERE p.hc_asn_number = %s",
        asn_number,
    )
    odoo_server.rpc(
        "stock.move",
        "write",
        [r[0] for r in db.all("SELECT id FROM stock_move WHERE picking_id = %s", picking)],
        {"picked": True},
    )
    odoo_server.rpc("stock.picking", "button_validate", [picking])
    assert db.value("SELECT state FROM stock_picking WHERE id = %s", picking) == "done"
    assert stock_barcode, "the receiving location is known to the ward systems by its barcode"

    # the lot goes to a ward cabinet and is used on three encounters
    ward = odoo_server.make_endpoint(sync_mode="realtime")

    def ev(kind, location, qty, **kw):
        values = {
            "type": f"inventory.{kind}",
            "location": location,
            "item": {"code": code},
            "lot": lot,
            "expiry": str(date.today() + timedelta(days=400)),
            "quantity": qty,
            "occurred_at": "2026-11-20T10:00:00Z",
            "patient_ref": None,
            "encounter_ref": None,
        }
        return event(**{**values, **kw})

    def post_ok(body):
        resp = ward.post(body)
        assert resp.status_code == 202, resp.text
        status = settled(ward, resp.json()["message_id"])
        assert status["status"] == "done", status

    post_ok(ev("transfer", stock_barcode, 10, to_location="ICU-CAB-07"))
    for n in range(3):
        post_ok(ev("consumption", "ICU-CAB-07", 1, encounter_ref=f"ENC-G-{n}", patient_ref="MRN-9"))
    assert on_hand(db, code, "ICU-CAB-07", lot) == 7

    recall_id = odoo_server.rpc(
        "hc.recall",
        "create",
        {
            "product_id": gloves,
            "lot_ids": [(6, 0, [db.value("SELECT id FROM stock_lot WHERE name = %s", lot)])],
            "reason": "Torn packaging",
        },
    )
    pharmacist = User(odoo_server, ["stock.group_stock_user", "healthcare_integration_base.group_hc_user"])
    trace = pharmacist.xmlrpc("hc.recall", "get_trace", [recall_id])
    # where it came from: the supplier's ship notice against our order, the receipt it prefilled
    (origin,) = trace["origin"]
    assert (origin["supplier"], origin["purchase_order"], origin["ship_notice"], origin["receipt"]) == (
        f"Supplier {sup.tag}",
        po_name,
        asn_number,
        receipt_name,
    )
    assert (origin["ship_notice_message_id"], origin["message_id"], origin["endpoint"]) == (
        asn_message,
        asn_message,
        sup.endpoint.code,
    )
    assert origin["ship_notice_id"] == db.value("SELECT hc_asn_document_id FROM stock_picking WHERE id = %s", picking)
    assert origin["quantity"] == 40.0 and origin["lot"] == lot
    assert origin["date"][:10] == str(db.value("SELECT date_done::date FROM stock_picking WHERE id = %s", picking))
    assert trace["totals"]["received"] == 40.0 and trace["totals"]["consumed"] == 3.0
    # where it went: the encounters, pseudonymised, in the trace and page by page
    (used,) = trace["consumed"]
    assert used["encounter_count"] == 3 and len(used["encounters"]) == 3
    pages = [
        pharmacist.xmlrpc(
            "hc.recall", "get_trace_encounters", [recall_id], used["location_id"], used["day"], offset=offset, limit=2
        )
        for offset in (0, 2)
    ]
    assert [p["total"] for p in pages] == [3, 3]
    assert pages[0]["encounters"] + pages[1]["encounters"] == sorted(used["encounters"])
    assert "ENC-G-0" not in json.dumps([trace, pages]) and "MRN-9" not in json.dumps(trace)
    # the case's screen shows the same origin
    (html,) = pharmacist.xmlrpc("hc.recall", "read", [recall_id], ["trace_html"])
    assert po_name in html["trace_html"] and asn_number in html["trace_html"]
