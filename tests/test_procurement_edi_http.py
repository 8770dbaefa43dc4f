"""Procurement EDI over real HTTP: purchase orders out to a supplier's server, functional
acknowledgments both ways, malformed and repeated interchanges, delivery to an SFTP server.

The supplier's side is written with the addon's own syntax layer (``lib/``, plain Python), so
what we send is read back exactly as a partner would read it.
"""

import base64
import hashlib
import hmac
import os
import socket
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from .procurement_edi_lib import load_lib

REPO = Path(__file__).resolve().parent.parent
# the shared real-world samples, committed with their attribution (golden/samples/SOURCES.md)
TESTDATA = REPO / "healthcare_procurement_edi" / "tests" / "golden" / "samples"


edi = load_lib()
CONTENT = {
    "x12_4010": "application/edi-x12",
    "x12_5010": "application/edi-x12",
    "edifact_d96a": "application/edifact",
    "edifact_d01b": "application/edifact",
    "cxml": "application/xml",
}


@pytest.fixture
def supplier_http():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


class Supplier:
    """A supplier connected by EDI: endpoint, trading partner, products, and what it received."""

    def __init__(self, odoo_server, fmt, outbound_url, **partner_vals):
        self.server, self.fmt = odoo_server, fmt
        tag = uuid.uuid4().hex[:6].upper()
        self.their_id, self.our_id = f"SUP{tag}", f"HOSP{tag}"
        self.endpoint = odoo_server.make_endpoint(sync_mode="realtime", outbound_url=outbound_url)
        self.outbound_secret = self.endpoint.outbound_secret()
        self.partner_id = odoo_server.rpc("res.partner", "create", {"name": f"Supplier {tag}", "is_company": True})
        vals = {
            "partner_id": self.partner_id,
            "endpoint_id": self.endpoint.id,
            "document_format": fmt,
            "interchange_qualifier": "ZZ",
            "interchange_id": self.their_id,
            "our_interchange_qualifier": "ZZ",
            "our_interchange_id": self.our_id,
            "functional_ack_sla_hours": 4,
            "ack_sla_hours": 24,
        }
        if fmt == "cxml":
            vals.update(
                cxml_domain="NetworkID",
                cxml_identity=self.their_id,
                our_cxml_domain="NetworkID",
                our_cxml_identity=self.our_id,
                cxml_shared_secret="cxml-secret-" + tag,
            )
        vals.update(partner_vals)
        self.id = odoo_server.rpc("hc.trading.partner", "create", vals)
        self.products = []
        for i, (qty, price) in enumerate(((10, 12.5), (3, 40.25))):
            gtin = f"031234{tag_digits(tag)}{i}"
            gtin = gtin + str(gs1_check(gtin))
            pid = odoo_server.rpc(
                "product.product",
                "create",
                {
                    "name": f"Item {i} {tag}",
                    "default_code": f"BP-{tag}-{i}",
                    "barcode": gtin,
                    "is_storable": True,
                    "seller_ids": [
                        (0, 0, {"partner_id": self.partner_id, "product_code": f"VP-{tag}-{i}", "price": price})
                    ],
                },
            )
            self.products.append((pid, qty, price, f"BP-{tag}-{i}", f"VP-{tag}-{i}", gtin.zfill(14)))

    def confirm_order(self):
        po = self.server.rpc(
            "purchase.order",
            "create",
            {
                "partner_id": self.partner_id,
                "order_line": [
                    (0, 0, {"product_id": p, "product_qty": q, "price_unit": pr}) for p, q, pr, *_ in self.products
                ],
            },
        )
        self.server.rpc("purchase.order", "button_confirm", [po])
        return po

    def post(self, body, content_type=None):
        return self.endpoint.post(body, content_type=content_type or CONTENT[self.fmt])

    def their_envelope(self, interchange, fmt=None):
        """The supplier's own envelope towards us (its ids as sender)."""
        qual = "NetworkID" if (fmt or self.fmt) == "cxml" else "ZZ"
        return edi.outbound.Envelope(
            sender_id=self.their_id,
            sender_qualifier=qual,
            receiver_id=self.our_id,
            receiver_qualifier=qual,
            interchange_control_number=interchange,
            group_control_number=interchange,
            set_control_numbers=[interchange],
            version=fmt or self.fmt,
            when=datetime(2026, 12, 1, 9, 30),
        )


def signed_by(secret, headers, body):
    """Standard Webhooks: HMAC-SHA256 over '<webhook-id>.<timestamp>.<body>' (the body is not JSON here)."""
    key = base64.b64decode(secret.removeprefix("whsec_") + "==")
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return expected in headers["Webhook-Signature"].split()


def tag_digits(tag):
    return "".join(str(int(c, 16) % 10) for c in tag)


def gs1_check(digits):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def order_lines(db, po):
    return db.all(
        "SELECT l.id, l.product_qty, l.price_unit FROM purchase_order_line l WHERE l.order_id = %s ORDER BY l.id", po
    )


def outbound_of(db, po):
    return db.one(
        "SELECT id, message_type, payload, state FROM hc_outbound_message WHERE res_model = 'purchase.order' "
        "AND res_id = %s ORDER BY id",
        po,
    )


def received_on(server, path):
    return [(dict(req.headers), req.get_data()) for req, _resp in server.log if req.path == path]


def deliver(odoo_server, outbound_id):
    odoo_server.rpc("hc.outbound.message", "deliver_now", [outbound_id])


def settled(endpoint, message_id):
    def check():
        status = endpoint.get_message(message_id).json()
        return status if status["status"] not in ("received", "processing") else None

    return endpoint.server.wait_for(check, timeout=60)


def assert_same_order(document, db, po, supplier):
    lines = order_lines(db, po)
    assert document["kind"] == "order"
    assert document["name"] == db.value("SELECT name FROM purchase_order WHERE id = %s", po)
    got = sorted(document["lines"], key=lambda ln: int(ln["line_id"]))
    assert [int(ln["line_id"]) for ln in got] == [row[0] for row in lines], "the stable line id is the PO line's id"
    for line, (_lid, qty, price), (_p, _q, _pr, bp, vp, gtin) in zip(got, lines, supplier.products, strict=True):
        assert float(line["quantity"]) == float(qty)
        assert float(line["price"]) == float(price)
        assert line["buyer_part"] == bp
        assert line["vendor_part"] == vp
        assert line["gtin"].zfill(14) == gtin
        assert line["uom"] == "EA"


# ---------------------------------------------------------------------------- purchase orders out
@pytest.mark.parametrize(
    "fmt,message_type,set_id",
    [
        ("x12_4010", "x12.850", "850"),
        ("edifact_d96a", "edifact.ORDERS", "ORDERS"),
        ("cxml", "cxml.OrderRequest", "OrderRequest"),
    ],
)
def test_confirmed_order_goes_out_and_parses_back(odoo_server, db, supplier_http, fmt, message_type, set_id):
    supplier_http.expect_request(f"/edi/{fmt}", method="POST").respond_with_data("ok", status=200)
    supplier = Supplier(odoo_server, fmt, supplier_http.url_for(f"/edi/{fmt}"))
    po = supplier.confirm_order()
    out_id, out_type, payload, _state = outbound_of(db, po)
    assert out_type == message_type
    deliver(odoo_server, out_id)
    got = odoo_server.wait_for(lambda: received_on(supplier_http, f"/edi/{fmt}"), timeout=60)
    headers, raw = got[0]
    assert signed_by(supplier.outbound_secret, headers, raw), "signed per the contract"
    assert raw.decode() == payload, "the payload is the document as sent"
    assert headers["Content-Type"].startswith(CONTENT[fmt])
    ic = edi.interchange.read(raw)
    assert ic.ok, ic.all_problems()
    assert [s.set_id for s in ic.sets] == [set_id]
    assert_same_order(ic.sets[0].document, db, po, supplier)
    if fmt != "cxml":
        assert ic.sender_id.strip() == supplier.our_id and ic.receiver_id.strip() == supplier.their_id
    assert db.value("SELECT state FROM hc_outbound_message WHERE id = %s", out_id) == "sent"
    doc = db.one(
        "SELECT kind, direction, fa_status, interchange_control, edi.purchase_id FROM hc_edi_document edi "
        "WHERE outbound_id = %s",
        out_id,
    )
    assert doc[:2] == ("order", "out") and doc[4] == po
    assert doc[2] == ("none" if fmt == "cxml" else "awaiting")
    assert doc[3].lstrip("0") == ic.control_number.lstrip("0"), "the control number (cXML payloadID) is kept"
    assert db.value("SELECT edi_ack_state FROM purchase_order WHERE id = %s", po) == "awaiting"
    assert db.value("SELECT edi_ack_deadline FROM purchase_order WHERE id = %s", po) is not None


def test_partner_997_and_contrl_are_matched(odoo_server, db, supplier_http):
    """The supplier acknowledges our 850 with a 997 and our ORDERS with a CONTRL, over HTTP."""
    for fmt, kind in (("x12_4010", "997"), ("edifact_d96a", "CONTRL")):
        supplier_http.expect_request(f"/fa/{fmt}", method="POST").respond_with_data("ok", status=200)
        supplier = Supplier(odoo_server, fmt, supplier_http.url_for(f"/fa/{fmt}"))
        po = supplier.confirm_order()
        out_id, _t, payload, _s = outbound_of(db, po)
        ours = edi.interchange.read(payload.encode())
        ack = edi.outbound.render_functional_ack(ours, supplier.their_envelope(7001), x12_kind="997")
        resp = supplier.post(ack)
        assert resp.status_code == 202, resp.text
        status = settled(supplier.endpoint, resp.json()["message_id"])
        assert status["status"] == "done", status
        row = db.one(
            "SELECT fa_status, fa_received_at, fa_document_id FROM hc_edi_document WHERE outbound_id = %s", out_id
        )
        assert row[0] == "accepted" and row[1] is not None and row[2], (kind, row)
        assert db.one("SELECT kind, purchase_id FROM hc_edi_document WHERE id = %s", row[2]) == (
            "functional_ack",
            po,
        ), "the acknowledgment shows in the order's EDI history"
        # an acknowledgment is not acknowledged
        assert not db.value(
            "SELECT count(*) FROM hc_outbound_message WHERE endpoint_id = %s AND message_type LIKE %s",
            supplier.endpoint.id,
            "%997" if kind == "997" else "%CONTRL",
        )


# ---------------------------------------------------------------------------- inbound interchanges
def partner_interchange(supplier, control):
    """A valid interchange from the supplier to us (an order document is as good as any here)."""
    po = {
        "name": f"SO{control}",
        "id": control,
        "date": "2026-12-01",
        "currency": "USD",
        "buyer": {"name": "Hospital", "gln": "", "id": supplier.our_id},
        "supplier": {"name": "Supplier", "gln": "", "id": supplier.their_id},
        "ship_to": {"name": "Dock", "gln": "", "street": "", "city": "", "zip": "", "country": ""},
        "requested_date": "2026-12-05",
        "notes": "",
        "lines": [
            {
                "line_id": 1,
                "buyer_part": "HEP-5000",
                "vendor_part": "V-778",
                "gtin": "00312345678906",
                "description": "Heparin",
                "quantity": "10",
                "uom": "EA",
                "price": "12.5",
                "requested_date": "2026-12-05",
            }
        ],
    }
    return edi.outbound.render_order(supplier.fmt, po, supplier.their_envelope(control))


def acks_for(db, endpoint_id):
    return db.all(
        "SELECT message_type, payload FROM hc_outbound_message WHERE endpoint_id = %s "
        "AND message_type IN ('x12.997', 'x12.999', 'edifact.CONTRL') ORDER BY id",
        endpoint_id,
    )


@pytest.mark.parametrize("fmt", ["x12_4010", "x12_5010", "edifact_d96a"])
def test_each_interchange_acknowledged_duplicate_not_processed_twice(odoo_server, db, supplier_http, fmt):
    supplier = Supplier(odoo_server, fmt, supplier_http.url_for("/unused"))
    body = partner_interchange(supplier, 4242)
    first = supplier.post(body)
    assert first.status_code == 202, first.text
    assert settled(supplier.endpoint, first.json()["message_id"])["status"] == "done"
    again = supplier.post(body)
    assert again.status_code in (200, 202), again.text
    assert again.json()["duplicate"] is True
    processed = db.value(
        "SELECT count(*) FROM hc_edi_document WHERE trading_partner_id = %s AND direction = 'in' "
        "AND duplicate IS NOT TRUE",
        supplier.id,
    )
    assert processed == 1, "processed once"
    acks = acks_for(db, supplier.endpoint.id)
    expected = {"x12_4010": "x12.997", "x12_5010": "x12.999", "edifact_d96a": "edifact.CONTRL"}[fmt]
    assert [a[0] for a in acks] == [expected, expected], "each arrival acknowledged"
    for _type, text in acks:
        ack = edi.interchange.read(text.encode())
        assert ack.sender_id.strip() == supplier.our_id and ack.receiver_id.strip() == supplier.their_id
        fas = edi.interchange.read_functional_ack(ack)
        assert fas and all(fa.status == "A" for fa in fas)


def break_counts(fmt, body):
    text = body.decode()
    if fmt.startswith("x12"):
        seg = text[105]
        parts = text.split(seg)
        for i, part in enumerate(parts):
            if part.strip().startswith("SE" + text[3]):
                fields_ = part.split(text[3])
                fields_[1] = str(int(fields_[1]) + 5)
                parts[i] = text[3].join(fields_)
        return seg.join(parts).encode()
    return text.replace("UNT+", "UNT+9", 1).encode()


@pytest.mark.parametrize("fmt", ["x12_4010", "edifact_d96a"])
def test_malformed_interchange_422_and_rejecting_ack(odoo_server, db, supplier_http, fmt):
    supplier = Supplier(odoo_server, fmt, supplier_http.url_for("/unused"))
    bad = break_counts(fmt, partner_interchange(supplier, 5151))
    resp = supplier.post(bad)
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert "SE" in resp.json()["detail"] or "UNT" in resp.json()["detail"]
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", resp.json()["message_id"]) == "rejected"
    acks = acks_for(db, supplier.endpoint.id)
    assert len(acks) == 1
    fas = edi.interchange.read_functional_ack(edi.interchange.read(acks[0][1].encode()))
    assert fas and fas[0].status == "R"
    # truncated: never a 500
    truncated = partner_interchange(supplier, 5152)[:-40]
    resp = supplier.post(truncated)
    assert resp.status_code in (400, 422), resp.text
    assert not db.value(
        "SELECT count(*) FROM hc_edi_document WHERE trading_partner_id = %s AND direction = 'in'", supplier.id
    )


def test_interchange_from_another_sender_refused(odoo_server, db, supplier_http):
    supplier = Supplier(odoo_server, "x12_4010", supplier_http.url_for("/unused"))
    impostor = Supplier(odoo_server, "x12_4010", supplier_http.url_for("/unused2"))
    body = partner_interchange(impostor, 6161)  # signed by the supplier's endpoint, sent as someone else
    resp = supplier.post(body)
    assert resp.status_code == 422, resp.text
    assert "trading partner" in resp.json()["detail"]
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", resp.json()["message_id"]) == "rejected"
    assert not db.value(
        "SELECT count(*) FROM hc_edi_document WHERE trading_partner_id = %s AND direction = 'in'", supplier.id
    )
    acks = acks_for(db, supplier.endpoint.id)
    assert len(acks) == 1
    fas = edi.interchange.read_functional_ack(edi.interchange.read(acks[0][1].encode()))
    assert fas and fas[0].status == "R"


def test_real_855_sample_recorded_and_unknown_order_routed(odoo_server, db, supplier_http):
    sample = (TESTDATA / "x12" / "node-x12_855.edi").read_bytes()
    supplier = Supplier(
        odoo_server,
        "x12_4010",
        supplier_http.url_for("/unused"),
        interchange_id="1556150",
        our_interchange_id="123MILL",
    )
    resp = supplier.post(sample)
    assert resp.status_code == 202, resp.text
    # its order POTEST1112 was never sent to this supplier: part 2 routes it to procurement
    status = settled(supplier.endpoint, resp.json()["message_id"])
    assert status["status"] == "failed", status
    assert status["error"]["class"] == "business" and status["error"]["code"] == "ack_not_on_po", status
    row = db.one(
        "SELECT kind, message_type, document_json FROM hc_edi_document "
        "WHERE trading_partner_id = %s AND direction = 'in'",
        supplier.id,
    )
    assert row[0] == "po_ack" and row[1] == "x12.855"
    assert row[2]["po_number"] == "POTEST1112"
    assert len(acks_for(db, supplier.endpoint.id)) == 1


# ---------------------------------------------------------------------------- SFTP
class _SftpServer:
    """A local SFTP server (paramiko's server API) writing into a directory."""

    def __init__(self, root, user, password):
        import paramiko

        self.root, self.user, self.password = Path(root), user, password
        self.host_key = paramiko.RSAKey.generate(2048)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def fingerprint(self):
        import base64
        import hashlib

        return "SHA256:" + base64.b64encode(hashlib.sha256(self.host_key.asbytes()).digest()).decode().rstrip("=")

    def _serve(self):
        import paramiko

        outer = self

        class Auth(paramiko.ServerInterface):
            def check_auth_password(self, username, password):
                ok = username == outer.user and password == outer.password
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

            def get_allowed_auths(self, username):
                return "password"

            def check_channel_request(self, kind, chanid):
                return (
                    paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
                )

        class Handle(paramiko.SFTPHandle):
            pass

        class Files(paramiko.SFTPServerInterface):
            def _path(self, path):
                full = (outer.root / path.lstrip("/")).resolve()
                if outer.root.resolve() not in (full, *full.parents):
                    raise PermissionError(path)
                return full

            def open(self, path, flags, attr):
                full = self._path(path)
                mode = "wb" if flags & (os.O_WRONLY | os.O_RDWR) else "rb"
                handle = Handle(flags)
                fh = open(full, mode)
                handle.filename = str(full)
                if mode == "wb":
                    handle.writefile = fh
                else:
                    handle.readfile = fh
                return handle

            def stat(self, path):
                return paramiko.SFTPAttributes.from_stat(os.stat(self._path(path)))

            lstat = stat

            def rename(self, oldpath, newpath):
                os.rename(self._path(oldpath), self._path(newpath))
                return paramiko.SFTP_OK

            def list_folder(self, path):
                full = self._path(path)
                return [paramiko.SFTPAttributes.from_stat(os.stat(full / n), n) for n in os.listdir(full)]

        while not self.stopped:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, Files)
            transport.start_server(server=Auth())

    def stop(self):
        self.stopped = True
        self.sock.close()


@pytest.fixture
def sftp_server(tmp_path):
    pytest.importorskip("paramiko")
    (tmp_path / "inbox").mkdir()
    server = _SftpServer(tmp_path, "hospital", "sftp-Pass-9")
    yield server
    server.stop()


def test_order_delivered_to_sftp_server(odoo_server, db, sftp_server):
    url = f"sftp://hospital@127.0.0.1:{sftp_server.port}/inbox"
    supplier = Supplier(
        odoo_server, "x12_4010", url, sftp_password="sftp-Pass-9", sftp_host_key=sftp_server.fingerprint()
    )
    po = supplier.confirm_order()
    out_id, _t, payload, _s = outbound_of(db, po)
    deliver(odoo_server, out_id)
    files = odoo_server.wait_for(lambda: list((sftp_server.root / "inbox").glob("*.x12")), timeout=30)
    assert len(files) == 1 and not list((sftp_server.root / "inbox").glob(".*"))
    assert files[0].read_bytes().decode() == payload
    assert_same_order(edi.interchange.read(files[0].read_bytes()).sets[0].document, db, po, supplier)
    assert db.value("SELECT state FROM hc_outbound_message WHERE id = %s", out_id) == "sent"
    # a server presenting another host key gets nothing
    odoo_server.rpc("hc.trading.partner", "write", [supplier.id], {"sftp_host_key": "SHA256:" + "A" * 43})
    po2 = supplier.confirm_order()
    out2 = outbound_of(db, po2)[0]
    deliver(odoo_server, out2)
    time.sleep(1)
    assert db.value("SELECT state FROM hc_outbound_message WHERE id = %s", out2) == "dead"
    assert "host key" in db.value("SELECT last_error FROM hc_outbound_message WHERE id = %s", out2)
    assert len(list((sftp_server.root / "inbox").glob("*.x12"))) == 1
