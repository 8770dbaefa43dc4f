"""Engine v2 over real HTTP: registered message types, priorities, outbound event subscriptions."""

import json
import time
import uuid

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .conftest import event
from .test_inventory_http import settled


def register_type(server, code, processor="hc.processor.echo", **vals):
    return server.rpc("hc.message.type", "create", {"name": code, "code": code, "processor_model": processor, **vals})


def test_a_json_document_of_a_registered_type_named_only_in_its_body(odoo_server, db):
    code = f"procurement.note{uuid.uuid4().hex[:6]}"
    register_type(odoo_server, code)
    ep = odoo_server.make_endpoint(sync_mode="realtime")
    res = ep.post({"id": f"n-{uuid.uuid4().hex[:8]}", "type": code, "outcome": "done"})
    assert res.status_code == 202, res.text
    status = settled(ep, res.json()["message_id"])
    assert status["status"] == "done", status
    assert status["message_type"] == code
    row = db.one("SELECT result_model, state FROM hc_inbound_message WHERE id = %s", res.json()["message_id"])
    assert row == ("res.partner", "done"), "the echo processor registered for the type ran"


def test_the_body_type_is_the_type_processed_and_checked(odoo_server, db):
    """An unsigned header cannot make a signed body another type, nor get it past the allow-list."""
    ep = odoo_server.make_endpoint(sync_mode="batch", allowed_message_types="inventory.receipt")
    body = event(type="inventory.consumption")
    res = ep.post(body, headers={"X-HC-Message-Type": "inventory.receipt"})
    assert res.status_code == 422, res.text
    assert "X-HC-Message-Type" in res.json()["detail"]
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s AND state = 'received'", ep.id) == 0
    res = ep.post(event(type="inventory.consumption"))
    assert res.status_code == 403, "the body's type is the one the allow-list checks"
    # a header naming a non-inventory type does not skip the check of an inventory body
    res = ep.post({**event(type="inventory.receipt"), "quantity": "two"}, headers={"X-HC-Message-Type": "x.y"})
    assert res.status_code == 422, res.text


def test_openapi_lists_the_registered_types_and_their_schemas(odoo_server):
    import requests

    doc = requests.get(f"{odoo_server.url}/hc/v1/openapi.json", timeout=30).json()
    codes = {t["code"] for t in doc["info"]["x-message-types"]}
    assert {"hc.ping", "inventory.*", "SupplyDelivery", "MedicationDispense"} <= codes
    assert "InventoryEvent" in doc["components"]["schemas"]


@pytest.mark.slow
def test_a_critical_message_overtakes_a_deep_routine_backlog(odoo_server, db):
    # the routine backlog is queued first, held back from every cron, then released to the same
    # real-time queue as the critical system's messages: a deep backlog really waits when the
    # critical message arrives
    routine = odoo_server.make_endpoint(sync_mode="batch", priority="0", batch_interval_minutes=1440)
    db.execute("UPDATE hc_endpoint SET last_batch_run = now() AT TIME ZONE 'UTC' WHERE id = %s", routine.id)
    critical = odoo_server.make_endpoint(sync_mode="realtime", priority="3")
    # 20,000 routine counts (real processing: resolution, quants read, count rows) in 20 batches
    started = time.monotonic()
    for _batch in range(20):
        events = [event(type="inventory.count", quantity=5, patient_ref=None, encounter_ref=None) for _ in range(1000)]
        res = routine.post({"events": events})
        assert res.status_code == 202, res.text[:300]
    odoo_server.rpc("hc.endpoint", "write", [routine.id], {"sync_mode": "realtime"})
    waiting = db.value(
        "SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s AND state IN ('received', 'retry')",
        routine.id,
    )
    assert waiting == 20000, f"the whole routine backlog waits ({waiting})"
    res = critical.post(event(type="inventory.count", quantity=7, patient_ref=None, encounter_ref=None))
    assert res.status_code == 202, res.text
    mid = res.json()["message_id"]
    posted = time.monotonic()
    status = odoo_server.wait_for(
        lambda: (
            db.one("SELECT state, processed_at - received_at FROM hc_inbound_message WHERE id = %s", mid)
            if db.value("SELECT state FROM hc_inbound_message WHERE id = %s", mid) == "done"
            else None
        ),
        timeout=60,
    )
    took = time.monotonic() - posted
    still = db.value(
        "SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s AND state IN ('received', 'retry')",
        routine.id,
    )
    print(
        f"critical done {took:.1f}s after posting, {still} routine messages still waiting "
        f"(backlog posted in {posted - started:.1f}s)"
    )
    assert status[0] == "done"
    assert still > 0, "the critical message was done while the routine backlog was still draining"
    assert took < 15, f"a critical message waits seconds, not the backlog's minutes ({took:.1f}s)"
    # leave the server idle for the next tests
    db.execute(
        "UPDATE hc_inbound_message SET state = 'cancelled' WHERE endpoint_id = %s AND state IN ('received', 'retry')",
        routine.id,
    )


@pytest.fixture
def partner():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_subscriber_receives_each_posting_once_signed(odoo_server, db, partner):
    received = []

    def handler(request):
        from werkzeug import Response

        received.append((dict(request.headers), request.get_data()))
        return Response("ok", status=200)

    partner.expect_request("/events", method="POST").respond_with_handler(handler)
    subscriber = odoo_server.make_endpoint(outbound_url=partner.url_for("/events"))
    outbound_secret = subscriber.outbound_secret()
    odoo_server.rpc("hc.event.subscription", "create", {"endpoint_id": subscriber.id, "event_type": "inventory.posted"})
    cabinet = odoo_server.make_endpoint(sync_mode="realtime")
    body = event(quantity=1)
    res = cabinet.post(body)
    assert res.status_code == 202, res.text
    mid = res.json()["message_id"]
    assert settled(cabinet, mid)["status"] == "done"
    odoo_server.wait_for(lambda: received, timeout=90)
    cabinet.post(body)  # a repeat of the same event: no second effect, no second event
    time.sleep(3)
    assert len(received) == 1, [r[1] for r in received]
    headers, raw = received[0]
    payload = Webhook(outbound_secret).verify(raw, headers)  # raises when the signature is wrong
    assert payload["type"] == "inventory.posted"
    assert payload["data"]["message_id"] == mid
    assert payload["data"]["event_id"] == body["id"]
    assert payload["correlation_id"] == res.json()["correlation_id"]
    assert headers.get("X-Correlation-Id") == res.json()["correlation_id"]
    move_ids = json.loads(db.value("SELECT result_ids FROM hc_inbound_message WHERE id = %s", mid))
    assert payload["data"]["result"] == {"model": "stock.move", "ids": move_ids}
    if outbound_secret != subscriber.secret:
        with pytest.raises(WebhookVerificationError):
            Webhook(subscriber.secret).verify(raw, headers)
    assert (
        db.value(
            "SELECT state FROM hc_outbound_message WHERE endpoint_id = %s AND message_type = 'inventory.posted'",
            subscriber.id,
        )
        == "sent"
    )
