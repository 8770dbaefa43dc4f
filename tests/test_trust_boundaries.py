"""Trust boundaries seen from outside (issue 9): what an RPC caller sends is input.

Every test talks to a running server as a real user of the role concerned (XML-RPC, JSON-RPC,
the web client's ``/web/dataset/call_kw``) or as a partner over HTTP, and checks the database.
"""

import json
import uuid
import xmlrpc.client

import pytest
import requests
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .conftest import OdooServer, event

# context keys the engine used to pass, and one Odoo itself knows: none may change the trail
FORGED_CONTEXT = {
    "hc_audit_disable": True,
    "hc_interface": "webhook:forged",
    "hc_endpoint_id": 1,
    "hc_correlation_id": "forged-correlation",
    "hc_message_id": 424242,
    "hc_correlation_ids": {"424242": "forged-correlation"},
    "cron_id": 1,
}


def xmlid(server, full):
    module, name = full.split(".")
    rows = server.rpc("ir.model.data", "search_read", [["module", "=", module], ["name", "=", name]], fields=["res_id"])
    return rows[0]["res_id"]


class User:
    """A real user talking to the server over XML-RPC, JSON-RPC or the web client."""

    def __init__(self, server, groups):
        self.server = server
        self.login = f"u-{uuid.uuid4().hex[:10]}"
        self.password = f"pw-{uuid.uuid4().hex}"
        self.id = server.rpc(
            "res.users",
            "create",
            {
                "name": self.login,
                "login": self.login,
                "email": f"{self.login}@hospital.example",
                "password": self.password,
                "groups_id": [(6, 0, [xmlid(server, g) for g in ("base.group_user", *groups)])],
            },
        )

    def xmlrpc(self, model, method, *args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(f"{self.server.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.server.db, self.id, self.password, model, method, list(args), kwargs)

    def jsonrpc(self, model, method, *args, **kwargs):
        """``/jsonrpc`` object.execute_kw; returns (result, error)."""
        resp = requests.post(
            f"{self.server.url}/jsonrpc",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [self.server.db, self.id, self.password, model, method, list(args), kwargs],
                },
            },
            timeout=60,
        )
        body = resp.json()
        return body.get("result"), body.get("error")

    def web_call(self, model, method, *args, **kwargs):
        """The web client's ``/web/dataset/call_kw`` in a logged-in session; returns (result, error)."""
        session = requests.Session()
        auth = session.post(
            f"{self.server.url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": self.server.db, "login": self.login, "password": self.password}},
            timeout=30,
        )
        assert auth.json().get("result"), auth.text
        resp = session.post(
            f"{self.server.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            },
            timeout=60,
        )
        body = resp.json()
        return body.get("result"), body.get("error")


FAULT_KINDS = {2: "UserError", 3: "AccessDenied", 4: "AccessError"}  # Odoo's XML-RPC fault codes


def refused(call, *args, **kwargs):
    """Run an XML-RPC call that must fail; return "<exception kind>: <message>"."""
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    fault = info.value
    return f"{FAULT_KINDS.get(fault.faultCode, fault.faultCode)}: {fault.faultString}"


MANAGER = ("healthcare_integration_base.group_hc_manager",)
APPROVER = ("healthcare_integration_base.group_hc_approver",)
READER = ("healthcare_integration_base.group_hc_user",)


@pytest.fixture(scope="module")
def manager(odoo_server):
    return User(odoo_server, MANAGER)


def _audit_rows(db, model, res_id, since_id):
    return db.all(
        "SELECT action, interface, user_id, endpoint_id, correlation_id, message_id, changes FROM hc_audit_event "
        "WHERE model = %s AND res_id = %s AND id > %s ORDER BY id",
        model,
        res_id,
        since_id,
    )


# ---------------------------------------------------------------- A. the audit trail
@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_rpc_context_keys_cannot_switch_off_or_reattribute_the_trail(odoo_server, db, manager, protocol):
    endpoint_id = odoo_server.rpc("hc.endpoint", "create", {"name": "ctx", "code": f"ctx-{uuid.uuid4().hex[:8]}"})
    last = db.value("SELECT coalesce(max(id), 0) FROM hc_audit_event")
    vals = {"max_attempts": 5}
    if protocol == "xmlrpc":
        assert manager.xmlrpc("hc.endpoint", "write", [endpoint_id], vals, context=FORGED_CONTEXT) is True
    else:
        result, error = manager.jsonrpc("hc.endpoint", "write", [endpoint_id], vals, context=FORGED_CONTEXT)
        assert error is None and result is True, error
    rows = _audit_rows(db, "hc.endpoint", endpoint_id, last)
    assert [r[0] for r in rows] == ["write"], "hc_audit_disable from a caller switches nothing off"
    _action, interface, user_id, endpoint, correlation, message_id, changes = rows[0]
    assert (interface, user_id) == ("rpc", manager.id), "recorded as rpc with its user, always"
    assert (endpoint, correlation, message_id) == (None, None, None), "no attribution from the context"
    assert '"max_attempts"' in changes


def test_web_client_context_keys_cannot_reattribute_the_trail(odoo_server, db, manager):
    endpoint_id = odoo_server.rpc("hc.endpoint", "create", {"name": "ctx", "code": f"ctx-{uuid.uuid4().hex[:8]}"})
    last = db.value("SELECT coalesce(max(id), 0) FROM hc_audit_event")
    result, error = manager.web_call("hc.endpoint", "write", [endpoint_id], {"max_attempts": 6}, context=FORGED_CONTEXT)
    assert error is None and result is True, error
    rows = _audit_rows(db, "hc.endpoint", endpoint_id, last)
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows] == [("write", "ui", manager.id, None, None, None)]


def test_processing_triggered_over_rpc_is_still_attributed_to_its_endpoint(odoo_server, db, manager):
    """The engine's own attribution still reaches the trail (it no longer rides in the context)."""
    ep = odoo_server.make_endpoint(sync_mode="batch")
    resp = ep.post(event(quantity=1))
    assert resp.status_code == 202, resp.text
    mid = resp.json()["message_id"]
    manager.xmlrpc("hc.inbound.message", "process_pending", endpoint_ids=[ep.id], context=FORGED_CONTEXT)
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", mid) == "done"
    move_id = json.loads(db.value("SELECT result_ids FROM hc_inbound_message WHERE id = %s", mid))[0]
    rows = db.all(
        "SELECT interface, endpoint_id, correlation_id, user_id FROM hc_audit_event "
        "WHERE model = 'stock.move' AND res_id = %s",
        move_id,
    )
    assert rows, "the stock move posted by processing is in the trail"
    correlation = db.value("SELECT correlation_id FROM hc_inbound_message WHERE id = %s", mid)
    assert {r[:3] for r in rows} == {(f"webhook:{ep.code}", ep.id, correlation)}
    assert {r[3] for r in rows} == {manager.id}


# ---------------------------------------------------------------- B. decisions
@pytest.fixture
def cabinet(odoo_server):
    return odoo_server.make_endpoint(sync_mode="batch")


def _failed_message(odoo_server, db, endpoint, **overrides):
    resp = endpoint.post(event(**overrides))
    assert resp.status_code == 202, resp.text
    mid = resp.json()["message_id"]
    odoo_server.rpc("hc.inbound.message", "process_pending", endpoint_ids=[endpoint.id])
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", mid) == "failed"
    return mid


def test_a_manager_cannot_approve_an_expired_lot_by_writing_the_message(odoo_server, db, manager, cabinet):
    mid = _failed_message(
        odoo_server, db, cabinet, item={"code": "HEP-5000"}, lot="HEP-EXP-01", expiry=None, quantity=1
    )
    before = db.one("SELECT state, approved_codes, payload FROM hc_inbound_message WHERE id = %s", mid)
    fault = refused(
        manager.xmlrpc, "hc.inbound.message", "write", [mid], {"approved_codes": "lot_expired", "state": "received"}
    )
    assert "AccessError" in fault and "approved_codes" in fault and "state" in fault
    fault = refused(manager.xmlrpc, "hc.inbound.message", "write", [mid], {"payload": "{}"})
    assert "cannot change" in fault or "AccessError" in fault
    _result, error = manager.jsonrpc("hc.inbound.message", "write", [mid], {"approved_codes": "lot_expired"})
    assert error and "approved_codes" in json.dumps(error)
    assert db.one("SELECT state, approved_codes, payload FROM hc_inbound_message WHERE id = %s", mid) == before
    # the attempt itself is on the trail, with its author
    attempts = db.all(
        "SELECT user_id, interface, changes FROM hc_audit_event "
        "WHERE action = 'access_denied' AND model = 'hc.inbound.message' AND res_id = %s",
        mid,
    )
    assert attempts and {(a[0], a[1]) for a in attempts} == {(manager.id, "rpc")}
    assert any("approved_codes" in a[2] for a in attempts)
    # nothing of it reaches the queue: the lot stays unconsumed, the message waits for an approver
    odoo_server.rpc("hc.inbound.message", "process_pending", endpoint_ids=[cabinet.id])
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", mid) == "failed"


def test_exception_decisions_only_through_the_decision_methods(odoo_server, db, cabinet):
    both = User(odoo_server, (*MANAGER, *APPROVER))
    other = User(odoo_server, APPROVER)
    resp = cabinet.post(event(item={"code": f"NOPE-{uuid.uuid4().hex[:6]}"}))
    mid = resp.json()["message_id"]
    both.xmlrpc("hc.inbound.message", "process_pending", endpoint_ids=[cabinet.id])
    exc_id, raised_by = db.one(
        "SELECT e.id, e.raised_by_id FROM hc_exception e JOIN hc_inbound_message m ON m.exception_id = e.id "
        "WHERE m.id = %s",
        mid,
    )
    assert raised_by == both.id
    # clearing "raised by" to approve one's own exception, or forging the decision: refused
    assert "raised_by_id" in refused(both.xmlrpc, "hc.exception", "write", [exc_id], {"raised_by_id": False})
    forged = {"state": "approved", "decided_by_id": other.id, "decision_reason": "forged"}
    fault = refused(other.xmlrpc, "hc.exception", "write", [exc_id], forged)
    assert "AccessError" in fault and "decided_by_id" in fault
    assert "own action" in refused(both.xmlrpc, "hc.exception", "action_approve", [exc_id], "mine")
    assert db.one(
        "SELECT state, raised_by_id, decided_by_id, decision_reason FROM hc_exception WHERE id = %s", exc_id
    ) == ("new", both.id, None, None)
    # the decision method, by a second approver, records the decision
    other.xmlrpc("hc.exception", "action_reject", [exc_id], "Not ours")
    assert db.one("SELECT state, decided_by_id, decision_reason FROM hc_exception WHERE id = %s", exc_id) == (
        "rejected",
        other.id,
        "Not ours",
    )
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", mid) == "cancelled"


def test_read_only_roles_cannot_retry_an_exceptions_messages(odoo_server, db, cabinet):
    reader = User(odoo_server, READER)
    mid = _failed_message(odoo_server, db, cabinet, item={"code": f"NOPE-{uuid.uuid4().hex[:6]}"})
    exc_id = db.value("SELECT exception_id FROM hc_inbound_message WHERE id = %s", mid)
    attempts = db.value("SELECT attempts FROM hc_inbound_message WHERE id = %s", mid)
    assert "AccessError" in refused(reader.xmlrpc, "hc.exception", "action_retry_messages", [exc_id])
    assert "AccessError" in refused(reader.xmlrpc, "hc.inbound.message", "action_retry_same_cause", [mid])
    assert "AccessError" in refused(reader.xmlrpc, "hc.exception", "action_start", [exc_id])
    assert db.one("SELECT state, attempts FROM hc_inbound_message WHERE id = %s", mid) == ("failed", attempts)
    assert db.value("SELECT state FROM hc_exception WHERE id = %s", exc_id) == "new"
    # an approver may: the message is processed again (and fails again: the item is still unknown)
    approver = User(odoo_server, APPROVER)
    assert approver.xmlrpc("hc.exception", "action_retry_messages", [exc_id]) is True
    assert db.value("SELECT attempts FROM hc_inbound_message WHERE id = %s", mid) == attempts + 1


def test_reconciliation_four_eyes_fields_cannot_be_forged(odoo_server, db, manager):
    approver = User(odoo_server, APPROVER)
    run_id = manager.xmlrpc("hc.reconciliation.run", "create", {"name": f"rec-{uuid.uuid4().hex[:6]}"})
    fault = refused(manager.xmlrpc, "hc.reconciliation.run", "write", [run_id], {"proposed_by_id": approver.id})
    assert "proposed_by_id" in fault
    for vals in ({"state": "proposed"}, {"decided_by_id": manager.id, "decision_reason": "x", "state": "applied"}):
        refused(approver.xmlrpc, "hc.reconciliation.run", "write", [run_id], vals)
    assert "state" in refused(manager.xmlrpc, "hc.reconciliation.run", "create", {"name": "x", "state": "applied"})
    # defaults from the context are input too: ignored
    forged_id = manager.xmlrpc(
        "hc.reconciliation.run",
        "create",
        {"name": "ctx-defaults"},
        context={"default_state": "proposed", "default_proposed_by_id": approver.id},
    )
    assert db.one("SELECT state, proposed_by_id FROM hc_reconciliation_run WHERE id = %s", forged_id) == ("draft", None)
    assert db.one("SELECT state, proposed_by_id, decided_by_id FROM hc_reconciliation_run WHERE id = %s", run_id) == (
        "draft",
        None,
        None,
    )
    # the proposal is what the approver decides on: its lines are frozen once proposed
    location_id = odoo_server.rpc("stock.location", "search", [["barcode", "=", "ICU-CAB-07"]])[0]
    product_id = odoo_server.rpc("product.product", "search", [["default_code", "=", "NS-1000"]])[0]
    line_id = manager.xmlrpc(
        "hc.reconciliation.line",
        "create",
        {
            "run_id": run_id,
            "location_id": location_id,
            "product_id": product_id,
            "external_qty": 5,
            "classification": "over",
        },
    )
    manager.xmlrpc("hc.reconciliation.run", "action_propose", [run_id])
    assert db.one("SELECT state, proposed_by_id FROM hc_reconciliation_run WHERE id = %s", run_id) == (
        "proposed",
        manager.id,
    )
    assert "cannot change" in refused(
        manager.xmlrpc, "hc.reconciliation.line", "write", [line_id], {"external_qty": 500}
    )
    assert "cannot change" in refused(manager.xmlrpc, "hc.reconciliation.line", "unlink", [line_id])
    assert db.value("SELECT external_qty FROM hc_reconciliation_line WHERE id = %s", line_id) == 5
    assert "AccessError" in refused(manager.xmlrpc, "hc.reconciliation.run", "action_approve", [run_id], "mine")


def test_quarantine_is_released_only_by_a_second_approver(odoo_server, db):
    stock_user = User(odoo_server, ("stock.group_stock_user",))
    approver = User(odoo_server, (*APPROVER, "stock.group_stock_user"))
    approver2 = User(odoo_server, (*APPROVER, "stock.group_stock_user"))
    product_id = odoo_server.rpc(
        "product.product",
        "create",
        {"name": f"Recall {uuid.uuid4().hex[:6]}", "is_storable": True, "tracking": "lot"},
    )
    lot_id = odoo_server.rpc("stock.lot", "create", {"name": f"R-{uuid.uuid4().hex[:6]}", "product_id": product_id})
    # a direct write sets no quarantine, and lifts none
    assert "hc_quarantined" in refused(stock_user.xmlrpc, "stock.lot", "write", [lot_id], {"hc_quarantined": True})
    approver.xmlrpc("stock.lot", "action_hc_quarantine", [lot_id], "Supplier recall R-9")
    assert db.one("SELECT hc_quarantined, hc_quarantined_by_id FROM stock_lot WHERE id = %s", lot_id) == (
        True,
        approver.id,
    )
    assert "hc_quarantined" in refused(stock_user.xmlrpc, "stock.lot", "write", [lot_id], {"hc_quarantined": False})
    assert "AccessError" in refused(stock_user.xmlrpc, "stock.lot", "action_hc_release", [lot_id], "looks fine")
    assert "another approver" in refused(approver.xmlrpc, "stock.lot", "action_hc_release", [lot_id], "mine")
    assert db.value("SELECT hc_quarantined FROM stock_lot WHERE id = %s", lot_id) is True
    approver2.xmlrpc("stock.lot", "action_hc_release", [lot_id], "Supplier withdrew the recall")
    assert db.one("SELECT hc_quarantined, hc_quarantined_by_id FROM stock_lot WHERE id = %s", lot_id) == (
        False,
        approver2.id,
    )


# ---------------------------------------------------------------- C. outbound deliveries
@pytest.fixture
def partner():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_outbound_delivery_by_a_manager_is_signed_with_the_outbound_secret(odoo_server, db, manager, partner):
    ep = odoo_server.make_endpoint(sync_mode="batch")  # ep.secret verifies the partner's inbound requests
    odoo_server.rpc("hc.endpoint", "write", [ep.id], {"outbound_url": partner.url_for("/orders")})
    outbound_secret = manager.xmlrpc("hc.endpoint", "generate_outbound_secret", [ep.id])
    assert outbound_secret != ep.secret
    partner.expect_request("/orders", method="POST").respond_with_data("accepted", status=202)
    msg_id = manager.xmlrpc(
        "hc.outbound.message", "create", {"endpoint_id": ep.id, "message_type": "x12.850", "payload": '{"po": 1}'}
    )
    # keep the delivery cron away from it: this test sends it by hand
    db.execute("UPDATE hc_outbound_message SET next_attempt_at = now() + interval '1 day' WHERE id = %s", msg_id)
    # a read-only user: refused before anything is sent
    reader = User(odoo_server, READER)
    assert "AccessError" in refused(reader.xmlrpc, "hc.outbound.message", "deliver_now", [msg_id])
    assert partner.log == []
    assert db.value("SELECT count(*) FROM hc_outbound_attempt WHERE outbound_id = %s", msg_id) == 0
    assert manager.xmlrpc("hc.outbound.message", "deliver_now", [msg_id]) is True
    assert len(partner.log) == 1, "delivered once, not rolled back and sent again"
    request, _response = partner.log[0]
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert Webhook(outbound_secret).verify(request.get_data(), headers) == {"po": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(ep.secret).verify(request.get_data(), headers)
    assert db.one("SELECT state, attempts, last_status_code FROM hc_outbound_message WHERE id = %s", msg_id) == (
        "sent",
        1,
        202,
    )
    assert db.all("SELECT status_code, url FROM hc_outbound_attempt WHERE outbound_id = %s", msg_id) == [
        (202, partner.url_for("/orders"))
    ]
    # the secret is stored encrypted, never in clear
    in_clear = db.value(
        "SELECT count(*) FROM hc_endpoint_secret WHERE secret_encrypted LIKE %s", f"%{outbound_secret}%"
    )
    assert in_clear == 0


def test_outbound_url_comes_only_from_the_endpoint(odoo_server, db, manager, partner):
    ep = odoo_server.make_endpoint(sync_mode="batch")
    odoo_server.rpc("hc.endpoint", "write", [ep.id], {"outbound_url": partner.url_for("/orders")})
    manager.xmlrpc("hc.endpoint", "generate_outbound_secret", [ep.id])
    elsewhere = partner.url_for("/elsewhere")
    fault = refused(
        manager.xmlrpc,
        "hc.outbound.message",
        "create",
        {"endpoint_id": ep.id, "payload": "{}", "url": elsewhere},
    )
    assert "url" in fault
    msg_id = manager.xmlrpc("hc.outbound.message", "create", {"endpoint_id": ep.id, "payload": "{}"})
    assert "url" in refused(manager.xmlrpc, "hc.outbound.message", "write", [msg_id], {"url": elsewhere})
    partner.expect_request("/orders", method="POST").respond_with_data("ok")
    manager.xmlrpc("hc.outbound.message", "deliver_now", [msg_id])
    assert [req.path for req, _resp in partner.log] == ["/orders"]


def test_outbound_without_its_own_secret_is_refused_without_a_network_call(odoo_server, db, manager, partner):
    ep = odoo_server.make_endpoint(sync_mode="batch")  # an inbound secret only
    odoo_server.rpc("hc.endpoint", "write", [ep.id], {"outbound_url": partner.url_for("/orders")})
    msg_id = manager.xmlrpc("hc.outbound.message", "create", {"endpoint_id": ep.id, "payload": "{}"})
    manager.xmlrpc("hc.outbound.message", "deliver_now", [msg_id])
    assert partner.log == []
    state, error = db.one("SELECT state, last_error FROM hc_outbound_message WHERE id = %s", msg_id)
    assert state == "dead" and "outbound signing secret" in error
    assert db.all("SELECT error FROM hc_outbound_attempt WHERE outbound_id = %s", msg_id) == [("no_outbound_secret",)]
    # once the manager made one, Retry sends it
    secret = manager.xmlrpc("hc.endpoint", "generate_outbound_secret", [ep.id])
    partner.expect_request("/orders", method="POST").respond_with_data("ok")
    manager.xmlrpc("hc.outbound.message", "action_retry", [msg_id])
    manager.xmlrpc("hc.outbound.message", "deliver_now", [msg_id])
    request, _response = partner.log[0]
    Webhook(secret).verify(request.get_data(), {k.lower(): v for k, v in request.headers.items()})
    assert db.value("SELECT state FROM hc_outbound_message WHERE id = %s", msg_id) == "sent"


# ---------------------------------------------------------------- D. IP allowlist
def _post(endpoint, url, headers=None):
    body = json.dumps(event()).encode()
    hdrs = {"Content-Type": "application/json", **endpoint.headers(body), **(headers or {})}
    return requests.post(f"{url}/hc/v1/endpoints/{endpoint.code}/messages", data=body, headers=hdrs, timeout=60)


def test_forwarded_for_is_ignored_without_proxy_mode(odoo_server, db):
    closed = odoo_server.make_endpoint(sync_mode="batch", allowed_networks="10.0.0.0/8")
    resp = _post(closed, odoo_server.url, {"X-Forwarded-For": "10.0.0.5", "X-Forwarded-Host": "example.org"})
    assert resp.status_code == 403, "a client cannot claim an address without proxy_mode"
    local = odoo_server.make_endpoint(sync_mode="batch", allowed_networks="127.0.0.0/8, ::1")
    resp = _post(local, odoo_server.url, {"X-Forwarded-For": "10.9.9.9"})
    assert resp.status_code == 202, resp.text
    assert db.value("SELECT client_ip FROM hc_inbound_message WHERE id = %s", resp.json()["message_id"]) == "127.0.0.1"


@pytest.fixture(scope="module")
def proxied_server(e2e_env):
    """A second server on the same database, behind a (simulated) proxy, on a dual-stack socket."""
    server = OdooServer(
        e2e_env["conf"],
        e2e_env["db"],
        e2e_env["work"],
        cron_threads=0,
        extra=["--proxy-mode", "--http-interface", "::"],
    ).start()
    yield server
    server.stop()


def test_allowlist_behind_a_proxy_and_with_ipv4_mapped_addresses(odoo_server, proxied_server, db):
    ten = odoo_server.make_endpoint(sync_mode="batch", allowed_networks="10.0.0.0/8")
    url = proxied_server.url

    def client_ip(resp):
        assert resp.status_code == 202, resp.text
        return db.value("SELECT client_ip FROM hc_inbound_message WHERE id = %s", resp.json()["message_id"])

    # the proxy's own entry (the last one) is the client, with or without X-Forwarded-Host
    assert client_ip(_post(ten, url, {"X-Forwarded-For": "10.0.0.5"})) == "10.0.0.5"
    assert client_ip(_post(ten, url, {"X-Forwarded-For": "10.0.0.6", "X-Forwarded-Host": "hc.example"})) == "10.0.0.6"
    # an IPv4-mapped IPv6 address is its IPv4 address
    assert client_ip(_post(ten, url, {"X-Forwarded-For": "::ffff:10.0.0.5"})) == "::ffff:10.0.0.5"
    # what the client wrote before the proxy's entry does not count
    assert _post(ten, url, {"X-Forwarded-For": "10.0.0.5, 192.168.1.9"}).status_code == 403
    assert _post(ten, url, {"X-Forwarded-For": "192.168.1.9"}).status_code == 403
    assert _post(ten, url).status_code == 403, "the peer (the proxy) is not in 10.0.0.0/8"
    # the dual-stack socket reports this IPv4 client as ::ffff:127.0.0.1: it matches 127.0.0.0/8
    local = odoo_server.make_endpoint(sync_mode="batch", allowed_networks="127.0.0.0/8")
    resp = requests.post(
        f"{url}/hc/v1/endpoints/{local.code}/messages",
        data=(body := json.dumps(event()).encode()),
        headers={"Content-Type": "application/json", **local.headers(body)},
        timeout=60,
    )
    assert client_ip(resp) == "::ffff:127.0.0.1"
