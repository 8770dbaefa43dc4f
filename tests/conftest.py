"""Suite-level fixtures: a real Odoo server process, talked to over HTTP only.

``./hc test`` installs the suite into a database and passes its copy in ``HC_E2E_DB`` with the
server configuration in ``HC_E2E_CONF``; these fixtures start ``odoo`` on a free port against it.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
import xmlrpc.client
from pathlib import Path

import pytest
import requests
from standardwebhooks.webhooks import Webhook

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command():
    import hc

    return hc.odoo_launcher()


class OdooServer:
    """A running Odoo server: base URL, XML-RPC and helpers for signed requests."""

    def __init__(self, conf, db, workdir, workers=0, cron_threads=1, extra=()):
        self.conf, self.db, self.workdir = conf, db, Path(workdir)
        self.workers, self.cron_threads, self.extra = workers, cron_threads, list(extra)
        self.port = None
        self.proc = None
        self.log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=180):
        self.port = free_port()
        self.log = self.workdir / f"odoo-{self.port}.log"
        cmd = [
            *odoo_command(),
            "-c",
            str(self.conf),
            "-d",
            self.db,
            "--http-port",
            str(self.port),
            "--http-interface",
            "127.0.0.1",
            "--workers",
            str(self.workers),
            "--max-cron-threads",
            str(self.cron_threads),
            "--log-level",
            "warn",
            "--logfile",
            str(self.log),
            *self.extra,
        ]
        self.proc = subprocess.Popen(cmd, cwd="/", start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.proc.returncode}: {self.tail()}")
            try:
                if requests.get(f"{self.url}/web/login", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer within {timeout}s: {self.tail()}")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def kill(self):
        """SIGKILL the whole process group: no cleanup, no commit, like a power cut."""
        self.stop(signal.SIGKILL)

    def tail(self, n=3000):
        return self.log.read_text()[-n:] if self.log and self.log.exists() else ""

    # ------------------------------------------------------------------ RPC as admin
    def rpc(self, model, method, *args, **kwargs):
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common", allow_none=True)
        uid = common.authenticate(self.db, "admin", "admin", {})
        models = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
        return models.execute_kw(self.db, uid, "admin", model, method, list(args), kwargs)

    def make_endpoint(self, auth_method="signature", **vals):
        code = vals.pop("code", None) or f"ep-{uuid.uuid4().hex[:10]}"
        endpoint_id = self.rpc(
            "hc.endpoint", "create", {"name": code, "code": code, "auth_method": auth_method, **vals}
        )
        secret = self.rpc("hc.endpoint", "generate_secret", [endpoint_id])
        return Endpoint(self, code, endpoint_id, auth_method, secret)

    def wait_for(self, predicate, timeout=60, interval=0.25):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f"condition not met within {timeout}s")


class Endpoint:
    """An external system as its developers would code it from the contract."""

    def __init__(self, server, code, endpoint_id, auth_method, secret):
        self.server, self.code, self.id, self.auth_method, self.secret = server, code, endpoint_id, auth_method, secret

    def headers(self, body=b"", webhook_id=None, timestamp=None, secret=None):
        if self.auth_method == "api_key":
            return {"Authorization": f"Bearer {secret or self.secret}"}
        webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        ts = int(time.time()) if timestamp is None else int(timestamp)
        from datetime import datetime, timezone

        sig = Webhook(secret or self.secret).sign(
            webhook_id, datetime.fromtimestamp(ts, tz=timezone.utc), body.decode()
        )
        return {"webhook-id": webhook_id, "webhook-timestamp": str(ts), "webhook-signature": sig}

    def post(self, body, content_type="application/json", headers=None, **sign_kw):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        hdrs = {"Content-Type": content_type, **self.headers(body, **sign_kw), **(headers or {})}
        return requests.post(
            f"{self.server.url}/hc/v1/endpoints/{self.code}/messages", data=body, headers=hdrs, timeout=60
        )

    def outbound_secret(self):
        """A new secret our deliveries to this system are signed with (its own, not the inbound one)."""
        return self.server.rpc("hc.endpoint", "generate_outbound_secret", [self.id])

    def get_message(self, message_id, **sign_kw):
        return requests.get(
            f"{self.server.url}/hc/v1/messages/{message_id}", headers=self.headers(b"", **sign_kw), timeout=30
        )


@pytest.fixture(scope="session")
def e2e_env():
    conf, db = os.environ.get("HC_E2E_CONF"), os.environ.get("HC_E2E_DB")
    if not conf or not db:
        pytest.fail("suite-level tests run through './hc test', which prepares HC_E2E_CONF and HC_E2E_DB")
    return {"conf": conf, "db": db, "work": os.environ.get("HC_E2E_WORK", "/tmp")}


@pytest.fixture(scope="session")
def odoo_server(e2e_env):
    server = OdooServer(e2e_env["conf"], e2e_env["db"], e2e_env["work"]).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def db(e2e_env):
    """A plain PostgreSQL connection to the server's database, to check effects (autocommit)."""
    import configparser

    import psycopg2

    cfg = configparser.ConfigParser()
    cfg.read(e2e_env["conf"])
    opts = cfg["options"]
    kwargs = {"dbname": e2e_env["db"]}
    for key, arg in (("db_host", "host"), ("db_port", "port"), ("db_user", "user"), ("db_password", "password")):
        if opts.get(key):
            kwargs[arg] = opts[key]
    conn = psycopg2.connect(**kwargs)
    conn.autocommit = True
    yield Db(conn)
    conn.close()


class Db:
    def __init__(self, conn):
        self.conn = conn

    def all(self, sql, *params):
        with self.conn.cursor() as cr:
            cr.execute(sql, params or None)
            return cr.fetchall()

    def one(self, sql, *params):
        rows = self.all(sql, *params)
        return rows[0] if rows else None

    def value(self, sql, *params):
        row = self.one(sql, *params)
        return row[0] if row else None

    def execute(self, sql, *params):
        with self.conn.cursor() as cr:
            cr.execute(sql, params or None)


@pytest.fixture
def endpoint(odoo_server):
    """A fresh signed endpoint of a batch-mode system (its queue waits for the schedule)."""
    return odoo_server.make_endpoint(sync_mode="batch")


def event(**overrides):
    """A valid canonical event (events-v1.md) with a unique id."""
    body = {
        "id": f"evt-{uuid.uuid4().hex[:12]}",
        "type": "inventory.consumption",
        "schema_version": "1.0",
        "occurred_at": "2026-11-23T07:41:39Z",
        "source": {"system": "icu-cabinet-7", "facility": "GENHOSP"},
        "location": "ICU-CAB-07",
        "item": {"code": "NS-1000", "gtin": "05012345678900"},
        "quantity": 2,
        "uom": "EA",
        "lot": "L2411A",
        "expiry": "2027-05-31",
        "serial": None,
        "patient_ref": "MRN-0042",
        "encounter_ref": "ENC-9",
        "reason": None,
    }
    body.update(overrides)
    return body
