"""The audit trail seen from outside: XML-RPC is 'rpc', the web client is 'ui', rows are append-only."""

import uuid

import psycopg2
import pytest
import requests


def _events(db, model, res_id, action=None):
    sql = (
        "SELECT action, interface, user_id, client_ip, changes, hash FROM hc_audit_event "
        "WHERE model = %s AND res_id = %s"
    )
    params = [model, res_id]
    if action:
        sql += " AND action = %s"
        params.append(action)
    return db.all(sql + " ORDER BY id", *params)


def test_rpc_changes_are_recorded_as_rpc_without_secrets(odoo_server, db):
    endpoint = odoo_server.make_endpoint()
    admin_id = db.value("SELECT id FROM res_users WHERE login = 'admin'")
    created = _events(db, "hc.endpoint", endpoint.id, "create")
    assert len(created) == 1
    assert created[0][1] == "rpc"
    assert created[0][2] == admin_id
    assert created[0][3] in ("127.0.0.1", "::1")
    rotated = _events(db, "hc.endpoint", endpoint.id, "secret_rotated")
    assert len(rotated) == 1
    assert (
        db.value(
            "SELECT count(*) FROM hc_audit_event WHERE concat_ws('|', changes, reason) LIKE %s", f"%{endpoint.secret}%"
        )
        == 0
    )


def test_web_client_changes_are_recorded_as_ui(odoo_server, db):
    endpoint_id = odoo_server.rpc("hc.endpoint", "create", {"name": "ui", "code": f"ui-{uuid.uuid4().hex[:8]}"})
    session = requests.Session()
    auth = session.post(
        f"{odoo_server.url}/web/session/authenticate",
        timeout=30,
        json={"jsonrpc": "2.0", "params": {"db": odoo_server.db, "login": "admin", "password": "admin"}},
    )
    assert auth.json().get("result"), auth.text
    res = session.post(
        f"{odoo_server.url}/web/dataset/call_kw/hc.endpoint/write",
        timeout=30,
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "hc.endpoint",
                "method": "write",
                "args": [[endpoint_id], {"max_attempts": 4}],
                "kwargs": {},
            },
        },
    )
    assert res.json().get("result") is True, res.text
    writes = _events(db, "hc.endpoint", endpoint_id, "write")
    assert writes and writes[-1][1] == "ui"
    assert '"max_attempts"' in writes[-1][4]


def test_seal_and_verify_over_rpc_and_table_is_append_only(odoo_server, db):
    odoo_server.rpc("hc.endpoint", "create", {"name": "seal", "code": f"seal-{uuid.uuid4().hex[:8]}"})
    odoo_server.rpc("hc.audit.event", "seal_pending")
    result = odoo_server.rpc("hc.audit.event", "verify_chain")
    assert result["ok"] is True, result
    assert result["checked"] >= 1
    some_id = db.value("SELECT max(id) FROM hc_audit_event")
    for statement in (
        "UPDATE hc_audit_event SET reason = 'x' WHERE id = %s",
        "DELETE FROM hc_audit_event WHERE id = %s",
    ):
        with pytest.raises(psycopg2.Error, match="append-only"):
            db.execute(statement, some_id)


def test_immediate_seal_waits_for_a_writer_in_flight_and_never_skips_its_event(odoo_server, db):
    """A transaction took an audit id, another one a higher id and committed first: seal_pending
    must neither pass over the lower one (left unsealed below the seal forever) nor break."""
    import datetime
    import threading

    from odoo.addons.healthcare_audit.models.hc_audit_event import WRITERS_LOCK
    from odoo.addons.healthcare_audit.models.tools import content_hash

    odoo_server.rpc("hc.audit.event", "seal_pending")
    writer = psycopg2.connect(db.conn.dsn)  # a writer in flight, the way _log writes
    try:
        cur = writer.cursor()
        cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", (WRITERS_LOCK,))
        row = {
            "event_time": datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
            "action": "write",
            "model": "res.partner",
            "res_id": 1,
            "interface": "rpc",
            "user_id": 1,
        }
        cur.execute(
            "INSERT INTO hc_audit_event (event_time, action, model, res_id, interface, user_id, hash) "
            "VALUES (%(event_time)s, %(action)s, %(model)s, %(res_id)s, %(interface)s, %(user_id)s, %(hash)s) "
            "RETURNING id",
            {**row, "hash": content_hash(row)},
        )
        in_flight = cur.fetchone()[0]
        # a later event, committed at once
        odoo_server.rpc("hc.endpoint", "create", {"name": "after", "code": f"after-{uuid.uuid4().hex[:8]}"})
        assert db.value("SELECT max(id) FROM hc_audit_event") > in_flight
        sealed = {}
        sealer = threading.Thread(target=lambda: sealed.update(id=odoo_server.rpc("hc.audit.event", "seal_pending")))
        sealer.start()
        sealer.join(1.5)
        assert sealer.is_alive(), "the immediate seal waits for the writer in flight"
        writer.commit()
        sealer.join(60)
        assert not sealer.is_alive()
    finally:
        writer.close()
    result = odoo_server.rpc("hc.audit.event", "verify_chain")
    assert result["ok"] is True, result
    odoo_server.rpc("hc.audit.event", "seal_pending")
    assert db.value("SELECT count(*) FROM hc_audit_seal WHERE %s = ANY(event_ids)", in_flight) == 1
    result = odoo_server.rpc("hc.audit.event", "verify_chain")
    assert result["ok"] is True, result
