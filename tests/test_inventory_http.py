"""events-v1.md over real HTTP: a cabinet posts, the server processes, stock and exceptions change."""

import json
import uuid
from pathlib import Path

import pytest

from .conftest import event
from .test_trust_boundaries import APPROVER, User

SAMPLES = Path(__file__).resolve().parent / "samples"


def on_hand(db, default_code, barcode, lot=None):
    sql = (
        "SELECT coalesce(sum(q.quantity), 0) FROM stock_quant q JOIN product_product p ON p.id = q.product_id "
        "JOIN stock_location l ON l.id = q.location_id LEFT JOIN stock_lot t ON t.id = q.lot_id "
        "WHERE p.default_code = %s AND l.barcode = %s"
    )
    params = [default_code, barcode]
    if lot:
        sql += " AND t.name = %s"
        params.append(lot)
    return float(db.value(sql, *params))


def settled(endpoint, message_id):
    def check():
        status = endpoint.get_message(message_id).json()
        return status if status["status"] not in ("received", "processing") else None

    return endpoint.server.wait_for(check, timeout=60)


@pytest.fixture
def cabinet(odoo_server):
    return odoo_server.make_endpoint(sync_mode="realtime")


def test_contract_example_consumption_moves_stock(cabinet, db):
    before = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A")
    resp = cabinet.post(event(quantity=2))
    assert resp.status_code == 202
    status = settled(cabinet, resp.json()["message_id"])
    assert status["status"] == "done", status
    assert status["result"]["model"] == "stock.move"
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == before - 2
    move = db.one("SELECT state, date FROM stock_move WHERE id = %s", status["result"]["ids"][0])
    assert move[0] == "done" and move[1].isoformat() == "2026-11-23T07:41:39", "dated occurred_at"


def test_expired_lot_waits_for_an_approver(cabinet, db):
    resp = cabinet.post(event(item={"code": "HEP-5000"}, lot="HEP-EXP-01", expiry=None, quantity=1))
    status = settled(cabinet, resp.json()["message_id"])
    assert status["status"] == "failed"
    assert status["error"]["class"] == "business" and status["error"]["code"] == "lot_expired"
    assert (
        db.value(
            "SELECT e.code FROM hc_exception e JOIN hc_inbound_message m ON m.exception_id = e.id WHERE m.id = %s",
            resp.json()["message_id"],
        )
        == "lot_expired"
    )


def test_batch_each_event_on_its_own(cabinet, db):
    before = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A")
    evs = [event(quantity=1), event(item={"code": "UNKNOWN-ITEM"}), event(location="NOWHERE"), event(quantity=1)]
    resp = cabinet.post({"events": evs})
    assert resp.status_code == 202
    statuses = [settled(cabinet, r["message_id"]) for r in resp.json()["results"]]
    assert [s["status"] for s in statuses] == ["done", "failed", "failed", "done"]
    assert [s["error"] and s["error"]["code"] for s in statuses] == [None, "item_unknown", "location_unknown", None]
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == before - 2


def test_fhir_supply_delivery_sample_with_mappings(odoo_server, db):
    dock = odoo_server.make_endpoint(sync_mode="realtime")
    product = odoo_server.rpc("product.product", "search", [["default_code", "=", "GAUZE-10"]])[0]
    location = odoo_server.rpc("stock.location", "search", [["barcode", "=", "DOCK-1"]])[0]
    odoo_server.rpc(
        "hc.item.mapping", "create", {"endpoint_id": dock.id, "external_code": "BlueTubes", "product_id": product}
    )
    odoo_server.rpc(
        "hc.location.mapping",
        "create",
        {"endpoint_id": dock.id, "external_code": "Location 1", "location_id": location},
    )
    sample = json.loads((SAMPLES / "fhir" / "supplydelivery-example.json").read_text())
    before = on_hand(db, "GAUZE-10", "DOCK-1")
    resp = dock.post(sample, content_type="application/fhir+json")
    status = settled(dock, resp.json()["message_id"])
    # GAUZE-10 is lot-tracked and the sample names no lot: what is missing is said plainly
    assert status["status"] == "failed" and status["error"]["code"] == "lot_required", status
    assert on_hand(db, "GAUZE-10", "DOCK-1") == before


def test_fhir_dispense_sample_is_unmappable_with_path(cabinet):
    sample = json.loads((SAMPLES / "fhir" / "medicationdispenseexample8.json").read_text())
    resp = cabinet.post(sample, content_type="application/fhir+json")
    status = settled(cabinet, resp.json()["message_id"])
    assert status["status"] == "failed"
    assert status["error"]["code"] == "fhir_unmappable"
    assert "$.whenHandedOver" in status["error"]["detail"]


def test_reversal_over_http_restores_stock_once(cabinet, db):
    original = event(quantity=3)
    before = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A")
    settled(cabinet, cabinet.post(original).json()["message_id"])
    rev = cabinet.post(event(reverses=original["id"], quantity=3))
    assert settled(cabinet, rev.json()["message_id"])["status"] == "done"
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == before


def test_hold_policy_keeps_short_events_waiting(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="realtime", hc_negative_stock_policy="hold")
    before = on_hand(db, "SUT-3-0", "OR-STORE-1")
    resp = ep.post(
        event(item={"code": "SUT-3-0"}, location="OR-STORE-1", lot="SUT-2406", expiry=None, quantity=before + 5)
    )
    status = settled(ep, resp.json()["message_id"])
    assert status["status"] == "failed" and status["error"]["code"] == "negative_stock"
    assert on_hand(db, "SUT-3-0", "OR-STORE-1") == before


def test_waste_transfer_return_receipt_and_count(cabinet, db):
    """Every canonical event type over HTTP: the right quants change, count changes none."""
    icu, pharm = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A"), on_hand(db, "NS-1000", "PHARM-MAIN", "L2411A")
    waste = settled(cabinet, cabinet.post(event(type="inventory.waste", quantity=1)).json()["message_id"])
    assert waste["status"] == "done", waste
    dest = db.value(
        "SELECT l.name FROM stock_move m JOIN stock_location l ON l.id = m.location_dest_id WHERE m.id = %s",
        waste["result"]["ids"][0],
    )
    assert dest == "Waste"
    transfer = settled(
        cabinet,
        cabinet.post(event(type="inventory.transfer", to_location="PHARM-MAIN", quantity=4)).json()["message_id"],
    )
    assert transfer["status"] == "done", transfer
    returned = settled(cabinet, cabinet.post(event(type="inventory.return", quantity=2)).json()["message_id"])
    assert returned["status"] == "done", returned
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == icu - 1 - 4 + 2
    assert on_hand(db, "NS-1000", "PHARM-MAIN", "L2411A") == pharm + 4

    new_lot = f"RCV-{uuid.uuid4().hex[:6]}"
    receipt = settled(
        cabinet,
        cabinet.post(
            event(type="inventory.receipt", location="DOCK-1", lot=new_lot, expiry="2028-01-31", quantity=12)
        ).json()["message_id"],
    )
    assert receipt["status"] == "done", receipt
    assert on_hand(db, "NS-1000", "DOCK-1", new_lot) == 12
    assert db.value("SELECT expiration_date::date::text FROM stock_lot WHERE name = %s", new_lot) == "2028-01-31"
    move = db.one(
        "SELECT m.state, m.date, l.usage FROM stock_move m JOIN stock_location l ON l.id = m.location_id "
        "WHERE m.id = %s",
        receipt["result"]["ids"][0],
    )
    assert move[0] == "done" and move[1].isoformat() == "2026-11-23T07:41:39" and move[2] == "supplier"

    # the shared database's cabinet may already be below zero (other modules' consumptions): a
    # physical count is never negative, so count 3 more than what is there or than nothing
    before = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A")
    counted = max(before, 0.0) + 3
    count = settled(cabinet, cabinet.post(event(type="inventory.count", quantity=counted)).json()["message_id"])
    assert count["status"] == "done" and count["result"]["model"] == "hc.stock.count", count
    row = db.one(
        "SELECT external_qty, odoo_qty, variance_qty, classification FROM hc_stock_count WHERE id = %s",
        count["result"]["ids"][0],
    )
    assert (float(row[0]), float(row[1]), float(row[2]), row[3]) == (counted, before, counted - before, "over")
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == before


def test_out_of_order_arrival_and_post_and_flag_policy(cabinet, db):
    """A consumption that arrives before the receipt it depends on posts (default policy), raises a
    negative_stock exception for reconciliation, and once the receipt arrives the balance is the same
    as if they had come in order."""
    before = on_hand(db, "NS-1000", "DOCK-1", "L2502B")
    use = event(
        location="DOCK-1", lot="L2502B", expiry="2027-11-30", quantity=before + 7, occurred_at="2026-11-23T09:00:00Z"
    )
    first = settled(cabinet, cabinet.post(use).json()["message_id"])
    assert first["status"] == "done", first
    assert on_hand(db, "NS-1000", "DOCK-1", "L2502B") == -7
    assert (
        db.value(
            "SELECT count(*) FROM hc_exception e JOIN stock_location l ON l.id = e.res_id "
            "AND e.res_model = 'stock.location' WHERE e.code = 'negative_stock' AND l.barcode = 'DOCK-1'"
        )
        >= 1
    )
    receipt = event(
        type="inventory.receipt",
        location="DOCK-1",
        lot="L2502B",
        expiry="2027-11-30",
        quantity=before + 7,
        occurred_at="2026-11-23T08:00:00Z",
    )
    second = settled(cabinet, cabinet.post(receipt).json()["message_id"])
    assert second["status"] == "done", second
    assert on_hand(db, "NS-1000", "DOCK-1", "L2502B") == before
    dates = db.all(
        "SELECT date FROM stock_move WHERE id IN %s ORDER BY date",
        tuple(first["result"]["ids"] + second["result"]["ids"]),
    )
    assert [d[0].isoformat() for d in dates] == ["2026-11-23T08:00:00", "2026-11-23T09:00:00"]


def test_second_reversal_of_the_same_event_has_no_effect(cabinet, db):
    original = event(quantity=2)
    before = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A")
    assert settled(cabinet, cabinet.post(original).json()["message_id"])["status"] == "done"
    for _ in range(2):
        rev = settled(cabinet, cabinet.post(event(reverses=original["id"], quantity=2)).json()["message_id"])
        assert rev["status"] == "done", rev
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"uom": "FURLONG"}, "uom_unknown"),
        ({"uom": "KG"}, "uom_incompatible"),
        ({"lot": None, "expiry": None}, "lot_required"),
        ({"lot": "NO-SUCH-LOT"}, "lot_unknown"),
        ({"expiry": "2027-06-30"}, "lot_expiry_mismatch"),
        ({"item": {"gtin": "05012345678901"}}, "gtin_check_digit"),
        ({"item": {"code": "IMP-HIP-52"}, "lot": None, "expiry": None, "quantity": 1}, "serial_required"),
        ({"reverses": "never-sent", "quantity": 1}, None),
    ],
)
def test_business_error_codes_over_http(odoo_server, db, overrides, code):
    ep = odoo_server.make_endpoint(sync_mode="realtime", hc_reversal_wait_minutes=0)
    before = on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A")
    resp = ep.post(event(**overrides))
    status = settled(ep, resp.json()["message_id"])
    expected = code or "reversal_unknown"
    assert (status["status"], status["error"]["class"], status["error"]["code"]) == ("failed", "business", expected)
    assert (
        db.value(
            "SELECT e.code FROM hc_exception e JOIN hc_inbound_message m ON m.exception_id = e.id WHERE m.id = %s",
            resp.json()["message_id"],
        )
        == expected
    )
    assert on_hand(db, "NS-1000", "ICU-CAB-07", "L2411A") == before, "nothing posted"


def test_quarantined_lot_and_used_serial_over_http(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="realtime")
    lot_id = odoo_server.rpc("stock.lot", "search", [["name", "=", "ECG-2410"]])[0]
    odoo_server.rpc("stock.lot", "action_hc_quarantine", [lot_id], "Supplier recall R-77")
    try:
        resp = ep.post(event(item={"code": "ELEC-ECG"}, lot="ECG-2410", expiry=None, quantity=1))
        assert settled(ep, resp.json()["message_id"])["error"]["code"] == "lot_quarantined"
    finally:  # released by an approver other than the one who quarantined the lot (four eyes)
        approver = User(odoo_server, (*APPROVER, "stock.group_stock_user"))
        approver.xmlrpc("stock.lot", "action_hc_release", [lot_id], "Recall closed")
    implant = {"item": {"code": "IMP-HIP-52"}, "location": "OR-STORE-1", "lot": None, "expiry": None, "quantity": 1}
    first = ep.post(event(serial="IHC52-0001", **implant))
    assert settled(ep, first.json()["message_id"])["status"] == "done"
    again = ep.post(event(serial="IHC52-0001", **implant))
    assert settled(ep, again.json()["message_id"])["error"]["code"] == "serial_already_consumed"


def test_every_event_type_over_http(cabinet, db):
    ns = ("NS-1000", "L2411A")

    def qty(barcode):
        return on_hand(db, ns[0], barcode, ns[1])

    icu, pharm = qty("ICU-CAB-07"), qty("PHARM-MAIN")
    cases = [
        (event(type="inventory.waste", quantity=1), -1, 0),
        (event(type="inventory.return", quantity=2), 2, 0),
        (event(type="inventory.transfer", quantity=3, to_location="PHARM-MAIN"), -3, 3),
        (event(type="inventory.receipt", quantity=5), 5, 0),
        (event(type="inventory.count", quantity=1), 0, 0),
    ]
    for body, d_icu, d_pharm in cases:
        resp = cabinet.post(body)
        assert settled(cabinet, resp.json()["message_id"])["status"] == "done", body["type"]
        icu, pharm = icu + d_icu, pharm + d_pharm
        assert (qty("ICU-CAB-07"), qty("PHARM-MAIN")) == (icu, pharm), body["type"]


def test_out_of_order_and_post_and_flag_over_http(cabinet, db):
    before = on_hand(db, "SYR-10", "NCLIN-STORE")
    late = event(
        item={"code": "SYR-10"},
        location="NCLIN-STORE",
        lot="SYR-2410",
        expiry=None,
        quantity=before + 7,
        occurred_at="2026-11-23T10:00:00Z",
    )
    early = event(
        type="inventory.receipt",
        item={"code": "SYR-10"},
        location="NCLIN-STORE",
        lot="SYR-2410",
        expiry=None,
        quantity=4,
        occurred_at="2026-11-23T09:00:00Z",
    )
    assert settled(cabinet, cabinet.post(late).json()["message_id"])["status"] == "done", "posted although short"
    assert settled(cabinet, cabinet.post(early).json()["message_id"])["status"] == "done"
    assert on_hand(db, "SYR-10", "NCLIN-STORE") == before - (before + 7) + 4
    assert (
        db.value(
            "SELECT count(*) FROM hc_exception WHERE code = 'negative_stock' AND state IN ('new', "
            "'in_progress') AND endpoint_id = %s",
            cabinet.id,
        )
        == 1
    ), "flagged for reconciliation"
