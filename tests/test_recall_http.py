"""Recall over real HTTP (issue 14): a lot's history posted by the systems that saw it, a recall
notice from the supplier, the trace, one quarantine action by a person over XML-RPC, the
cabinets told once, and a later use of the lot held as ``lot_recalled``."""

import json
import time
import uuid
import xmlrpc.client

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook

from .conftest import event
from .test_inventory_http import on_hand, settled
from .test_trust_boundaries import User, xmlid

PRODUCT, GTIN = "NS-1000", "05012345678900"


@pytest.fixture
def partner():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def post_ok(endpoint, body):
    resp = endpoint.post(body)
    assert resp.status_code == 202, resp.text
    status = settled(endpoint, resp.json()["message_id"])
    assert status["status"] == "done", status
    return status


def test_recall_trace_quarantine_and_hold(odoo_server, db, partner):
    received = []

    def handler(request):
        from werkzeug import Response

        received.append((dict(request.headers), request.get_data()))
        return Response("ok", status=200)

    partner.expect_request("/recalls", method="POST").respond_with_handler(handler)
    cabinets = odoo_server.make_endpoint(outbound_url=partner.url_for("/recalls"))
    outbound_secret = cabinets.outbound_secret()
    odoo_server.rpc("hc.event.subscription", "create", {"endpoint_id": cabinets.id, "event_type": "lot.recalled"})

    dock = odoo_server.make_endpoint(sync_mode="realtime")
    icu = odoo_server.make_endpoint(sync_mode="realtime")
    clinic = odoo_server.make_endpoint(sync_mode="realtime")
    supplier = odoo_server.make_endpoint(sync_mode="realtime")
    lot = f"RCL-{uuid.uuid4().hex[:8]}"

    def ev(kind, location, qty, day, **kw):
        values = {
            "type": f"inventory.{kind}",
            "location": location,
            "lot": lot,
            "expiry": "2028-01-31",
            "quantity": qty,
            "occurred_at": f"2026-11-{day:02d}T09:30:00Z",
            "patient_ref": None,
            "encounter_ref": None,
        }
        return event(**{**values, **kw})

    # -------------------------------------------------------------- the lot's history, over HTTP
    receipt = post_ok(dock, ev("receipt", "DOCK-1", 50, 10))
    post_ok(dock, ev("transfer", "DOCK-1", 20, 11, to_location="ICU-CAB-07"))
    post_ok(dock, ev("transfer", "DOCK-1", 10, 11, to_location="NCLIN-STORE"))  # to the other facility
    uses = [
        (icu, "ICU-CAB-07", 2, 12, "ENC-A-0001"),
        (icu, "ICU-CAB-07", 3, 12, "ENC-B-0002"),
        (clinic, "NCLIN-STORE", 1, 13, "ENC-C-0003"),
    ]
    use_ids = [
        post_ok(ep, ev("consumption", loc, qty, day, encounter_ref=enc, patient_ref="MRN-77"))["message_id"]
        for ep, loc, qty, day, enc in uses
    ]
    post_ok(icu, ev("waste", "ICU-CAB-07", 1, 13, reason="dropped"))
    post_ok(icu, ev("return", "ICU-CAB-07", 1, 14))
    assert on_hand(db, PRODUCT, "DOCK-1", lot) == 20
    assert on_hand(db, PRODUCT, "ICU-CAB-07", lot) == 20 - 2 - 3 - 1 + 1
    assert on_hand(db, PRODUCT, "NCLIN-STORE", lot) == 9

    # -------------------------------------------------------------- the supplier's recall notice
    notice = {
        "id": f"NOTICE-{uuid.uuid4().hex[:8]}",
        "type": "recall.notice",
        "schema_version": "1.0",
        "issued_at": "2026-11-15T08:00:00Z",
        "source": {"system": "acme-gateway", "authority": "ACME Pharma"},
        "item": {"gtin": GTIN},
        "lots": [lot],
        "reason": "Particles found in bags of this lot",
        "classification": "II",
    }
    opened = post_ok(supplier, notice)
    assert opened["result"]["model"] == "hc.recall"
    recall_id = opened["result"]["ids"][0]
    row = db.one(
        "SELECT r.state, p.default_code, r.source, r.external_ref, r.company_id FROM hc_recall r "
        "JOIN product_product p ON p.id = r.product_id WHERE r.id = %s",
        recall_id,
    )
    assert row[:4] == ("open", PRODUCT, "ACME Pharma", notice["id"])
    assert db.value(
        "SELECT array_agg(l.name) FROM hc_recall_stock_lot_rel x JOIN stock_lot l ON l.id = x.lot_id "
        "WHERE x.recall_id = %s",
        recall_id,
    ) == [lot]

    # -------------------------------------------------------------- the trace, as a pharmacist reads it
    pharmacist = User(odoo_server, ["stock.group_stock_user", "healthcare_integration_base.group_hc_user"])
    trace = pharmacist.xmlrpc("hc.recall", "get_trace", [recall_id])
    # where it came from
    assert len(trace["origin"]) == 1
    origin = trace["origin"][0]
    assert (origin["quantity"], origin["facility"], origin["endpoint"]) == (50.0, "General Hospital", dock.code)
    assert origin["location"].endswith("Receiving Dock") and origin["message_id"] == receipt["message_id"]
    assert origin["date"].startswith("2026-11-10")
    # where it is now
    now = {(r["facility"], r["location"].split("/")[-1]): r["quantity"] for r in trace["on_hand"]}
    assert now == {
        ("General Hospital", "Receiving Dock"): 20.0,
        ("General Hospital", "ICU Cabinet 7"): 15.0,
        ("North Clinic", "North Clinic Store"): 9.0,
    }
    assert trace["in_transit"] == []
    # where it went: consumed per location and day, with pseudonymised encounter references only
    hashed = {
        mid: db.value("SELECT payload::jsonb ->> 'encounter_ref' FROM hc_inbound_message WHERE id = %s", mid)
        for mid in use_ids
    }
    assert all(h and not h.startswith("ENC-") for h in hashed.values())
    consumed = {(r["day"], r["location"].split("/")[-1]): r for r in trace["consumed"]}
    assert set(consumed) == {("2026-11-12", "ICU Cabinet 7"), ("2026-11-13", "North Clinic Store")}
    icu_day = consumed[("2026-11-12", "ICU Cabinet 7")]
    assert icu_day["quantity"] == 5.0 and icu_day["facility"] == "General Hospital"
    assert sorted(icu_day["encounters"]) == sorted([hashed[use_ids[0]], hashed[use_ids[1]]])
    clinic_day = consumed[("2026-11-13", "North Clinic Store")]
    assert (clinic_day["quantity"], clinic_day["facility"], clinic_day["encounters"]) == (
        1.0,
        "North Clinic",
        [hashed[use_ids[2]]],
    )
    flat = json.dumps(trace)
    assert "ENC-A-0001" not in flat and "MRN-77" not in flat, "never a raw patient or encounter id"
    assert [(r["day"], r["quantity"], r["location"].split("/")[-1]) for r in trace["wasted"]] == [
        ("2026-11-13", 1.0, "ICU Cabinet 7")
    ]
    assert [(r["day"], r["quantity"], r["location"].split("/")[-1]) for r in trace["returned"]] == [
        ("2026-11-14", 1.0, "ICU Cabinet 7")
    ]
    moved = sorted((r["to_facility"], r["to_location"].split("/")[-1], r["quantity"]) for r in trace["transferred"])
    assert moved == [("General Hospital", "ICU Cabinet 7", 20.0), ("North Clinic", "North Clinic Store", 10.0)]
    assert trace["totals"] == {
        "received": 50.0,
        "on_hand": 44.0,
        "reserved": 0.0,
        "in_transit": 0.0,
        "consumed": 6.0,
        "wasted": 1.0,
        "returned": 1.0,
        "returned_to_supplier": 0.0,
        "transferred": 30.0,
        "corrections": 0.0,
    }

    # -------------------------------------------------------------- one action quarantines everywhere
    # the North Clinic's stock belongs to its own team: two location owners, two activities
    nclin = xmlid(odoo_server, "healthcare_integration_demo.warehouse_nclin")
    team = odoo_server.rpc("hc.team", "create", {"name": f"North Clinic stores {lot}"})
    odoo_server.rpc("stock.warehouse", "write", [nclin], {"hc_owner_team_id": team})
    try:
        assert pharmacist.xmlrpc("hc.recall", "action_quarantine_all", [recall_id]) is True
    finally:
        odoo_server.rpc("stock.warehouse", "write", [nclin], {"hc_owner_team_id": False})
    assert db.one("SELECT r.state, r.quarantined_by_id FROM hc_recall r WHERE r.id = %s", recall_id) == (
        "quarantined",
        pharmacist.id,
    )
    assert db.one("SELECT hc_quarantined, hc_recall_id FROM stock_lot WHERE name = %s", lot) == (True, recall_id)
    activities = db.all(
        "SELECT summary FROM mail_activity WHERE res_model = 'hc.recall' AND res_id = %s AND summary LIKE %s",
        recall_id,
        "Pull recalled stock%",
    )
    assert len(activities) == 2, activities
    assert any(f"North Clinic stores {lot}" in s for (s,) in activities)
    with pytest.raises(xmlrpc.client.Fault):  # a second press changes nothing and tells no one again
        pharmacist.xmlrpc("hc.recall", "action_quarantine_all", [recall_id])

    # -------------------------------------------------------------- the cabinets are told, once
    assert (
        db.value(
            "SELECT count(*) FROM hc_outbound_message WHERE endpoint_id = %s AND message_type = 'lot.recalled'",
            cabinets.id,
        )
        == 1
    )
    odoo_server.wait_for(lambda: received, timeout=90)
    time.sleep(3)
    assert len(received) == 1, received
    headers, raw = received[0]
    payload = Webhook(outbound_secret).verify(raw, headers)  # signed with the cabinets' outbound secret
    assert payload["type"] == "lot.recalled"
    assert (payload["data"]["lot"], payload["data"]["gtin"], payload["data"]["product"]) == (lot, GTIN, PRODUCT)

    # -------------------------------------------------------------- a later use waits for a person
    later = icu.post(ev("consumption", "ICU-CAB-07", 1, 16, encounter_ref="ENC-D-0004"))
    status = settled(icu, later.json()["message_id"])
    assert status["status"] == "failed", status
    assert (status["error"]["class"], status["error"]["code"]) == ("business", "lot_recalled"), status
    assert on_hand(db, PRODUCT, "ICU-CAB-07", lot) == 15
    assert (
        db.value(
            "SELECT e.code FROM hc_exception e JOIN hc_inbound_message m ON m.exception_id = e.id WHERE m.id = %s",
            later.json()["message_id"],
        )
        == "lot_recalled"
    )
    waiting = pharmacist.xmlrpc("hc.recall", "get_trace", [recall_id])["waiting_messages"]
    assert [w["message_id"] for w in waiting] == [later.json()["message_id"]]

    # -------------------------------------------------------------- closing records who and why
    approver = User(odoo_server, ["stock.group_stock_user", "healthcare_integration_base.group_hc_approver"])
    with pytest.raises(xmlrpc.client.Fault):  # a stock clerk does not close a recall
        pharmacist.xmlrpc("hc.recall", "action_close", [recall_id], reason="destroyed")
    approver.xmlrpc("hc.recall", "action_close", [recall_id], reason="44 bags returned to ACME, RMA 778")
    assert db.one("SELECT state, closed_by_id, close_reason FROM hc_recall WHERE id = %s", recall_id) == (
        "closed",
        approver.id,
        "44 bags returned to ACME, RMA 778",
    )
