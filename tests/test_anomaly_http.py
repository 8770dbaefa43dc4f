"""Authentication failures over real HTTP (issue 14): wrongly signed requests to a running server
get the contract's one 401, are counted per endpoint and reason (never with what was sent), and
the anomaly detector, run by an approver over JSON-RPC, raises exactly one
``anomaly_auth_failures`` exception naming the endpoint, for its owning team."""

import json
import time
import uuid

import requests

from .conftest import event
from .test_trust_boundaries import User

WRONG_SECRET = "whsec_" + "V1JPTkdXUk9OR1dST05HV1JPTkdXUk9ORw=="


def test_wrongly_signed_requests_raise_one_auth_failure_signal(odoo_server, db):
    team = odoo_server.rpc("hc.team", "create", {"name": f"Cabinet vendor {uuid.uuid4().hex[:6]}"})
    ep = odoo_server.make_endpoint(sync_mode="batch", team_id=team)
    url = f"{odoo_server.url}/hc/v1/endpoints/{ep.code}/messages"
    sent = []  # every credential and body we sent: none may be kept

    def post(headers, body, target=url):
        sent.extend([body.decode(), *headers.values()])
        return requests.post(target, data=body, headers={"Content-Type": "application/json", **headers}, timeout=30)

    answers = []
    for _n in range(22):  # a caller with the wrong secret
        body = json.dumps(event(patient_ref="MRN-SECRET-77")).encode()
        answers.append(post(ep.headers(body, secret=WRONG_SECRET), body))
    for _n in range(3):  # a caller whose clock is off
        body = json.dumps(event()).encode()
        answers.append(post(ep.headers(body, timestamp=time.time() - 900), body))
    for _n in range(2):  # no signature at all
        body = json.dumps(event()).encode()
        answers.append(post({k: v for k, v in ep.headers(body).items() if k != "webhook-signature"}, body))
    unknown_code = f"no-such-{uuid.uuid4().hex[:8]}"
    body = json.dumps(event()).encode()
    answers.append(post(ep.headers(body), body, target=f"{odoo_server.url}/hc/v1/endpoints/{unknown_code}/messages"))

    # a status read with credentials of no endpoint: counted without an endpoint
    answers.append(ep.get_message(1, secret=WRONG_SECRET))
    sent.append(answers[-1].request.headers["webhook-signature"])

    # the contract's one 401, whatever the reason
    assert [a.status_code for a in answers] == [401] * len(answers)
    shapes = {json.dumps({k: v for k, v in a.json().items() if k != "correlation_id"}, sort_keys=True) for a in answers}
    assert len(shapes) == 1, shapes
    assert json.loads(shapes.pop())["detail"] == "Missing or invalid credentials."
    # a correct request still goes through and is not counted
    # (a receipt of a lot of its own: the shared database's cabinet stock is other tests' baseline)
    receipt = event(
        type="inventory.receipt", location="DOCK-1", lot=f"ANOM-{uuid.uuid4().hex[:6]}", expiry="2028-01-31"
    )
    assert ep.post(receipt).status_code == 202

    # counted per endpoint and reason, in as many rows as (minute, reason) pairs
    counts = dict(
        db.all(
            "SELECT reason, sum(failure_count) FROM hc_endpoint_auth_failure WHERE endpoint_id = %s GROUP BY 1",
            ep.id,
        )
    )
    assert counts == {"bad_signature": 22, "stale_timestamp": 3, "missing_credentials": 2}, counts
    assert db.value("SELECT count(*) FROM hc_endpoint_auth_failure WHERE endpoint_id = %s", ep.id) <= 3 * 2
    assert (
        db.value(
            "SELECT sum(failure_count) FROM hc_endpoint_auth_failure WHERE endpoint_id IS NULL "
            "AND reason = 'unknown_endpoint' AND bucket >= now() AT TIME ZONE 'UTC' - interval '10 minutes'"
        )
        >= 1
    )
    assert db.value(
        "SELECT sum(failure_count) FROM hc_endpoint_auth_failure WHERE endpoint_id IS NULL "
        "AND reason = 'no_endpoint_matched' AND bucket >= now() AT TIME ZONE 'UTC' - interval '10 minutes'"
    )
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s", ep.id) == 1

    # the detector, run by an approver as from the menu
    approver = User(odoo_server, ["healthcare_integration_base.group_hc_approver"])
    result, error = approver.jsonrpc("hc.exception", "action_hc_detect_anomalies")
    assert error is None, error
    assert result["tag"] == "display_notification"
    signals = db.all(
        "SELECT id, name, detail, team_id, res_model, res_id FROM hc_exception "
        "WHERE code = 'anomaly_auth_failures' AND endpoint_id = %s",
        ep.id,
    )
    assert len(signals) == 1, signals
    exc_id, name, detail, team_id, res_model, res_id = signals[0]
    assert ep.code in name and name.startswith("Many refused logins")
    assert (team_id, res_model, res_id) == (team, "hc.endpoint", ep.id)
    assert "27" in detail and "Signature does not match: 22" in detail, detail
    last = "SELECT value FROM hc_anomaly_point WHERE exception_id = %s ORDER BY day DESC LIMIT 1"
    assert db.value(last, exc_id) == 27
    # a second run the same day adds nothing
    assert approver.jsonrpc("hc.exception", "action_hc_detect_anomalies")[1] is None
    assert (
        db.value("SELECT count(*) FROM hc_exception WHERE code = 'anomaly_auth_failures' AND endpoint_id = %s", ep.id)
        == 1
    )

    # nothing sent is kept: not in the exception, its chatter, nor the counters
    kept = " ".join(
        str(v)
        for v in (
            name,
            detail,
            *db.all("SELECT row_to_json(f)::text FROM hc_endpoint_auth_failure f"),
            *db.all(
                "SELECT body FROM mail_message WHERE model = 'hc.exception' AND res_id = %s AND body IS NOT NULL",
                exc_id,
            ),
        )
    )
    secrets = [ep.secret, WRONG_SECRET, "MRN-SECRET-77", unknown_code]
    secrets += [s.split(",", 1)[1] for s in sent if s.startswith("v1,")]
    for secret in secrets:
        assert secret not in kept, secret
    assert len(secrets) > 25
