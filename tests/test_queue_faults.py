"""The queue under faults: a server killed mid-batch, and several processes processing at once."""

import json
import threading
import time
import uuid
import xmlrpc.client

import pytest

from .conftest import OdooServer, event


def ping_batch(n, run):
    return {"events": [{"id": f"ping-{run}-{i}", "n": i} for i in range(n)]}


def post_pings(endpoint, total, run, chunk=1000):
    for start in range(0, total, chunk):
        body = {"events": [{"id": f"ping-{run}-{i}", "n": i} for i in range(start, min(total, start + chunk))]}
        resp = endpoint.post(json.dumps(body), headers={"X-HC-Message-Type": "hc.ping"})
        assert resp.status_code == 202, resp.text
        assert all(r["status"] == "received" for r in resp.json()["results"])


def counts(db, endpoint_id):
    return dict(
        db.all("SELECT state, count(*) FROM hc_inbound_message WHERE endpoint_id = %s GROUP BY state", endpoint_id)
    )


def rpc_process_pending(server):
    """Log in to ``server`` over XML-RPC as admin; return a call of process_pending there."""
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(server.db, "admin", "admin", {})
    proxy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)

    def process_pending(endpoint_id, limit):
        return proxy.execute_kw(
            server.db,
            uid,
            "admin",
            "hc.inbound.message",
            "process_pending",
            [],
            {"limit": limit, "endpoint_ids": [endpoint_id]},
        )

    return process_pending


def held_back_from_the_cron(odoo_server, db):
    """A batch endpoint whose scheduled run is a day away: only the processes a test starts take
    its messages (the server's batch cron would otherwise drain them while they are posted)."""
    endpoint = odoo_server.make_endpoint(sync_mode="batch", max_batch_events=1000, batch_interval_minutes=1440)
    db.execute("UPDATE hc_endpoint SET last_batch_run = now() AT TIME ZONE 'UTC' WHERE id = %s", endpoint.id)
    return endpoint


def race_processors(odoo_server, endpoint_id, limit, calls):
    """``calls`` process_pending RPC calls started at once, alternating between the given server
    and a second server process on the same database; returns what each call handled."""
    second = OdooServer(odoo_server.conf, odoo_server.db, odoo_server.workdir, cron_threads=0).start()
    handled = []
    try:
        barrier = threading.Barrier(calls, timeout=300)  # a server that failed to start must not hang the run

        def process(server):
            process_pending = rpc_process_pending(server)  # a connection of its own per thread
            barrier.wait()
            handled.append(process_pending(endpoint_id, limit=limit))

        # one login per server before the race: what races is the processing, not the second
        # server's first requests (a login racing them was answered 500 now and then)
        for server in (odoo_server, second):
            rpc_process_pending(server)
        servers = [(odoo_server, second)[i % 2] for i in range(calls)]
        threads = [threading.Thread(target=process, args=(server,)) for server in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        second.stop()
    return handled


@pytest.mark.slow
def test_sigkill_mid_batch_then_restart_every_message_done_exactly_once(e2e_env, db):
    """Kill -9 the server while it commits batches; after restart all end done, none twice."""
    server = OdooServer(e2e_env["conf"], e2e_env["db"], e2e_env["work"], cron_threads=0).start()
    try:
        endpoint = server.make_endpoint(sync_mode="batch", max_batch_events=1000)
        run = uuid.uuid4().hex[:8]
        total = 6000
        post_pings(endpoint, total, run)
        assert counts(db, endpoint.id) == {"received": total}

        def process():
            process_pending = rpc_process_pending(server)
            try:
                process_pending(endpoint.id, limit=50)
            except (OSError, xmlrpc.client.Fault, xmlrpc.client.ProtocolError):
                pass  # the server is killed under it

        worker = threading.Thread(target=process, daemon=True)
        worker.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and counts(db, endpoint.id).get("done", 0) < 500:
            time.sleep(0.02)
        server.kill()  # SIGKILL to the whole process group: no cleanup, no commit
        worker.join(timeout=30)
        after_crash = counts(db, endpoint.id)
        assert 0 < after_crash.get("done", 0) < total, f"the kill must land mid-way: {after_crash}"
        assert set(after_crash) <= {"done", "received"}, f"nothing is left 'processing': {after_crash}"
    finally:
        server.stop()

    restarted = OdooServer(e2e_env["conf"], e2e_env["db"], e2e_env["work"], cron_threads=0).start()
    try:
        restarted.rpc("hc.inbound.message", "process_pending", endpoint_ids=[endpoint.id])
    finally:
        restarted.stop()
    assert counts(db, endpoint.id) == {"done": total}
    assert (
        db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s AND attempts <> 1", endpoint.id) == 0
    ), "each message was applied exactly once"


def test_two_processes_processing_at_once_never_apply_twice(odoo_server, db):
    endpoint = held_back_from_the_cron(odoo_server, db)
    run = uuid.uuid4().hex[:8]
    total = 6000
    post_pings(endpoint, total, run)
    handled = race_processors(odoo_server, endpoint.id, limit=10, calls=3)
    # the counts returned are per call (Odoo re-runs an RPC call after a serialization failure),
    # so the proof is in the database: every message done, none twice
    assert sum(1 for n in handled if n > 0) >= 2, f"the work was shared: {handled}"
    assert counts(db, endpoint.id) == {"done": total}
    assert db.value("SELECT max(attempts) FROM hc_inbound_message WHERE endpoint_id = %s", endpoint.id) == 1


def test_processes_consuming_the_same_stock_at_once_conflict_without_charging_retries(odoo_server, db):
    """Two processes take from the same quant: PostgreSQL refuses one of them now and then
    (serialization failure); that batch goes back to the queue as a whole, no message fails."""
    endpoint = held_back_from_the_cron(odoo_server, db)
    total = 600
    on_hand = (
        "SELECT coalesce(sum(q.quantity), 0) FROM stock_quant q JOIN stock_location l ON l.id = q.location_id "
        "JOIN stock_lot lot ON lot.id = q.lot_id WHERE l.barcode = 'ICU-CAB-07' AND lot.name = 'L2411A'"
    )
    before = db.value(on_hand)
    for start in range(0, total, 300):
        body = {"events": [event(quantity=1, occurred_at="2026-11-24T08:00:00Z") for _ in range(start, start + 300)]}
        resp = endpoint.post(json.dumps(body))
        assert resp.status_code == 202, resp.text
    race_processors(odoo_server, endpoint.id, limit=25, calls=4)
    assert counts(db, endpoint.id) == {"done": total}
    charged = db.all(
        "SELECT error_code, count(*) FROM hc_inbound_message WHERE endpoint_id = %s AND (attempts > 1 OR "
        "error_code IS NOT NULL) GROUP BY error_code",
        endpoint.id,
    )
    assert charged == [], f"messages charged for another worker's lock: {charged}"
    assert float(before) - float(db.value(on_hand)) == total
