"""Procurement EDI part 2 end to end over real HTTP: a PO confirmed in Odoo goes out to the
supplier's server (pytest-httpserver); the supplier answers, from the order it received, with an
acknowledgment (a backorder and a price change), a ship notice (lots, expiry dates, SSCC
packages, one short-dated lot) and invoices; the receipt is prefilled and validated; one bill
matches and posts, the other is blocked with the right cause. Also: the real samples in
``shared/testdata`` go through processing without a 500.

The supplier side is written with the addon's own syntax layer (``lib/``, plain Python).
"""

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from .procurement_edi_lib import load_lib
from .test_trust_boundaries import User

REPO = Path(__file__).resolve().parent.parent
# the shared real-world samples, committed with their attribution (golden/samples/SOURCES.md)
TESTDATA = REPO / "healthcare_procurement_edi" / "tests" / "golden" / "samples"
CONTENT = {
    "x12_4010": "application/edi-x12",
    "x12_5010": "application/edi-x12",
    "edifact_d96a": "application/edifact",
    "edifact_d01b": "application/edifact",
    "cxml": "application/xml",
    "ubl": "application/xml",
}


edi = load_lib()


@pytest.fixture
def supplier_http():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def gs1_check(digits):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def make_approver(server):
    _model, gid = server.rpc(
        "ir.model.data", "check_object_reference", "healthcare_integration_base", "group_hc_approver"
    )
    server.rpc("res.users", "write", [2], {"groups_id": [(4, gid)]})


class Partner:
    """A supplier's EDI system: it reads what we send and answers in its own format."""

    def __init__(self, server, fmt, url, their_id=None, their_qualifier="ZZ", **vals):
        self.server, self.fmt = server, fmt
        tag = uuid.uuid4().hex[:6].upper()
        self.tag = tag
        self.their_id, self.our_id = their_id or f"SUP{tag}", f"HOSP{tag}"
        self.endpoint = server.make_endpoint(sync_mode="realtime", outbound_url=url)
        self.outbound_secret = self.endpoint.outbound_secret()
        self.partner_id = server.rpc("res.partner", "create", {"name": f"Supplier {tag}", "is_company": True})
        values = {
            "partner_id": self.partner_id,
            "endpoint_id": self.endpoint.id,
            "document_format": fmt,
            "interchange_qualifier": their_qualifier,
            "interchange_id": self.their_id,
            "our_interchange_qualifier": "ZZ",
            "our_interchange_id": self.our_id,
            "ack_sla_hours": 24,
            "functional_ack_sla_hours": 4,
        }
        if fmt == "cxml":
            values.update(
                cxml_domain="NetworkID",
                cxml_identity=self.their_id,
                our_cxml_domain="NetworkID",
                our_cxml_identity=self.our_id,
                cxml_shared_secret="s3cret-" + tag,
            )
        values.update(vals)
        self.id = server.rpc("hc.trading.partner", "create", values)
        self.control = 9000

    def product(self, i, tracking="none", price=10.0):
        digits = "".join(str(int(c, 16) % 10) for c in self.tag)
        gtin = f"0031234{digits}{i}"
        gtin += str(gs1_check(gtin))
        vals = {
            "name": f"Item {i} {self.tag}",
            "default_code": f"BP-{self.tag}-{i}",
            "barcode": gtin,
            "is_storable": True,
            "tracking": tracking,
            "use_expiration_date": tracking != "none",
            "seller_ids": [
                (0, 0, {"partner_id": self.partner_id, "product_code": f"VP-{self.tag}-{i}", "price": price})
            ],
        }
        return self.server.rpc("product.product", "create", vals)

    def envelope(self):
        self.control += 1
        qual = "NetworkID" if self.fmt == "cxml" else "ZZ"
        return edi.outbound.Envelope(
            sender_id=self.their_id,
            sender_qualifier=qual,
            receiver_id=self.our_id,
            receiver_qualifier=qual,
            interchange_control_number=self.control,
            group_control_number=self.control,
            set_control_numbers=[self.control],
            version=self.fmt,
            when=datetime(2026, 12, 1, 9, 30),
        )

    def send(self, document):
        secret = "s3cret-" + self.tag if self.fmt == "cxml" else None
        body = edi.outbound.render_document(self.fmt, document, self.envelope(), shared_secret=secret)
        resp = self.endpoint.post(body, content_type=CONTENT[self.fmt])
        assert resp.status_code in (200, 202), resp.text
        return self.settled(resp.json()["message_id"])

    def settled(self, message_id):
        def check():
            status = self.endpoint.get_message(message_id).json()
            return status if status["status"] not in ("received", "processing") else None

        return self.server.wait_for(check, timeout=90)


def exception_codes(db, model, res_id):
    return sorted(
        r[0] for r in db.all("SELECT code FROM hc_exception WHERE res_model = %s AND res_id = %s", model, res_id)
    )


@pytest.mark.parametrize(
    "fmt,order_type", [("x12_4010", "x12.850"), ("edifact_d96a", "edifact.ORDERS"), ("cxml", "cxml.OrderRequest")]
)
def test_order_to_paid_bill(odoo_server, db, supplier_http, fmt, order_type):
    supplier_http.expect_request("/edi", method="POST").respond_with_data("ok", status=200)
    make_approver(odoo_server)
    sup = Partner(
        odoo_server,
        fmt,
        supplier_http.url_for("/edi"),
        price_tolerance_percent=1.0,
        min_shelf_life_days=180,
        auto_post_matched_bills=True,
        days_late_tolerance=1,
    )
    heparin, gloves = sup.product(0, price=12.5), sup.product(1, tracking="lot", price=4.0)
    po = odoo_server.rpc(
        "purchase.order",
        "create",
        {
            "partner_id": sup.partner_id,
            "order_line": [
                (0, 0, {"product_id": heparin, "product_qty": 10, "price_unit": 12.5}),
                (0, 0, {"product_id": gloves, "product_qty": 100, "price_unit": 4.0}),
            ],
        },
    )
    odoo_server.rpc("purchase.order", "button_confirm", [po])
    out_id, out_type = db.one(
        "SELECT id, message_type FROM hc_outbound_message WHERE res_model = 'purchase.order' AND res_id = %s ORDER BY id LIMIT 1",
        po,
    )
    assert out_type == order_type
    odoo_server.rpc("hc.outbound.message", "deliver_now", [out_id])
    received = odoo_server.wait_for(lambda: [r for r, _ in supplier_http.log if r.path == "/edi"], timeout=60)
    order = edi.interchange.read(received[0].get_data()).sets[0].document
    assert order["kind"] == "order"
    po_name = order["name"]
    by_part = {ln["vendor_part"]: ln for ln in order["lines"]}
    hep, glv = by_part[f"VP-{sup.tag}-0"], by_part[f"VP-{sup.tag}-1"]
    later = date.today() + timedelta(days=20)

    # 1. acknowledgment: heparin at a new price (beyond 1 %), gloves 60 now and 40 backordered
    ack = {
        "kind": "po_ack",
        "po_number": po_name,
        "ack_number": "ACK-1",
        "date": str(date.today()),
        "status": "changed",
        "lines": [
            {
                **{k: hep[k] for k in ("line_id", "buyer_part", "vendor_part", "gtin", "uom")},
                "status": "changed",
                "quantity": "10",
                "price": "13",
                "date": hep["requested_date"],
                "substitute": None,
            },
            {
                **{k: glv[k] for k in ("line_id", "buyer_part", "vendor_part", "gtin", "uom")},
                "status": "accepted",
                "quantity": "60",
                "price": "4",
                "date": glv["requested_date"],
                "substitute": None,
            },
            {
                **{k: glv[k] for k in ("line_id", "buyer_part", "vendor_part", "gtin", "uom")},
                "status": "backordered",
                "quantity": "40",
                "price": "4",
                "date": str(later),
                "substitute": None,
            },
        ],
    }
    status = sup.send(ack)
    assert status["status"] == "done", status
    lines = dict(db.all("SELECT product_id, hc_ack_status FROM purchase_order_line WHERE order_id = %s", po))
    assert lines == {heparin: "changed", gloves: "backordered"}
    assert db.value("SELECT edi_ack_state FROM purchase_order WHERE id = %s", po) == "received"
    codes = exception_codes(db, "purchase.order", po)
    assert codes == ["ack_date_change", "ack_price_change"], codes
    price_exc = db.value(
        "SELECT id FROM hc_exception WHERE res_model = 'purchase.order' AND res_id = %s AND code = 'ack_price_change'",
        po,
    )
    odoo_server.rpc("hc.exception", "action_approve", [price_exc], "new list price")
    assert (
        float(
            db.value("SELECT price_unit FROM purchase_order_line WHERE order_id = %s AND product_id = %s", po, heparin)
        )
        == 13.0
    )

    # 2. ship notice: heparin in one SSCC, gloves 30 + 30 in lots (one short-dated) in another
    good, short = date.today() + timedelta(days=400), date.today() + timedelta(days=60)
    asn = {
        "kind": "asn",
        "asn_number": "ASN-1",
        "po_numbers": [po_name],
        "ship_date": str(date.today()),
        "expected_date": str(date.today() + timedelta(days=1)),
        "lines": [
            {
                "line_id": hep["line_id"],
                "po_number": po_name,
                "buyer_part": hep["buyer_part"],
                "vendor_part": hep["vendor_part"],
                "gtin": hep["gtin"],
                "quantity": "10",
                "uom": "EA",
                "lot": None,
                "expiry": None,
                "serials": [],
                "sscc": "003123450000000017",
                "udi": None,
            },
            {
                "line_id": glv["line_id"],
                "po_number": po_name,
                "buyer_part": glv["buyer_part"],
                "vendor_part": glv["vendor_part"],
                "gtin": glv["gtin"],
                "quantity": "30",
                "uom": "EA",
                "lot": "GL-A",
                "expiry": str(good),
                "serials": [],
                "sscc": "003123450000000024",
                "udi": None,
            },
            {
                "line_id": glv["line_id"],
                "po_number": po_name,
                "buyer_part": glv["buyer_part"],
                "vendor_part": glv["vendor_part"],
                "gtin": glv["gtin"],
                "quantity": "30",
                "uom": "EA",
                "lot": "GL-B",
                "expiry": str(short),
                "serials": [],
                "sscc": "003123450000000024",
                "udi": None,
            },
        ],
    }
    status = sup.send(asn)
    assert status["status"] == "done", status
    picking = db.value("SELECT id FROM stock_picking WHERE hc_asn_number = 'ASN-1' AND origin = %s", po_name)
    assert picking
    mls = db.all(
        "SELECT ml.quantity, COALESCE(lot.name, ml.lot_name), lot.expiration_date::date, pack.name FROM stock_move_line ml "
        "LEFT JOIN stock_lot lot ON lot.id = ml.lot_id LEFT JOIN stock_quant_package pack ON pack.id = ml.result_package_id "
        "WHERE ml.picking_id = %s ORDER BY ml.quantity, 2",
        picking,
    )
    assert [(float(q), n, e, p) for q, n, e, p in mls] == [
        (10.0, None, None, "003123450000000017"),
        (30.0, "GL-A", good, "003123450000000024"),
        (30.0, "GL-B", short, "003123450000000024"),
    ]
    assert exception_codes(db, "stock.picking", picking) == ["asn_short_dated"]

    # 3. receiving staff validate; the backordered 40 stay open
    odoo_server.rpc(
        "stock.move",
        "write",
        [r[0] for r in db.all("SELECT id FROM stock_move WHERE picking_id = %s", picking)],
        {"picked": True},
    )
    odoo_server.rpc("stock.picking", "button_validate", [picking], context={"skip_backorder": True})
    assert db.value("SELECT state FROM stock_picking WHERE id = %s", picking) == "done"
    assert db.value("SELECT hc_asn_accurate FROM stock_picking WHERE id = %s", picking) is True
    received_qty = dict(db.all("SELECT product_id, qty_received FROM purchase_order_line WHERE order_id = %s", po))
    assert (float(received_qty[heparin]), float(received_qty[gloves])) == (10.0, 60.0)

    # 4. invoices: what was received at the agreed prices matches and posts; the backorder billed early is blocked
    def invoice(number, lines):
        return {
            "kind": "invoice",
            "invoice_number": number,
            "date": str(date.today()),
            "currency": "USD",
            "po_numbers": [po_name],
            "total": "0",
            "tax_total": None,
            "charges": [],
            "lines": [
                {
                    "line_id": src["line_id"],
                    "po_number": po_name,
                    "buyer_part": src["buyer_part"],
                    "vendor_part": src["vendor_part"],
                    "gtin": src["gtin"],
                    "quantity": q,
                    "uom": "EA",
                    "price": p,
                    "amount": str(float(q) * float(p)),
                }
                for src, q, p in lines
            ],
        }

    assert sup.send(invoice(f"INV-{sup.tag}-1", [(hep, "10", "13"), (glv, "60", "4")]))["status"] == "done"
    bill = db.one("SELECT id, state, hc_match_state FROM account_move WHERE ref = %s", f"INV-{sup.tag}-1")
    assert bill[1:] == ("posted", "matched"), bill
    billed = dict(db.all("SELECT product_id, qty_invoiced FROM purchase_order_line WHERE order_id = %s", po))
    assert (float(billed[heparin]), float(billed[gloves])) == (10.0, 60.0)
    assert sup.send(invoice(f"INV-{sup.tag}-2", [(glv, "40", "4")]))["status"] == "done"
    bill2 = db.one("SELECT id, state, hc_match_state FROM account_move WHERE ref = %s", f"INV-{sup.tag}-2")
    assert bill2[1:] == ("draft", "blocked"), bill2
    assert exception_codes(db, "account.move", bill2[0]) == ["invoice_quantity_mismatch"]
    team = db.value(
        "SELECT t.name->>'en_US' FROM hc_exception e JOIN hc_team t ON t.id = e.team_id WHERE e.res_model = 'account.move' AND e.res_id = %s",
        bill2[0],
    )
    assert team == "Accounts Payable"
    with pytest.raises(Exception, match="three-way match"):
        odoo_server.rpc("account.move", "action_post", [bill2[0]])
    assert db.value("SELECT state FROM account_move WHERE id = %s", bill2[0]) == "draft"


def udi_of(gtin, expiry, lot, serial=None):
    """A GS1 UDI element string (01)(17)(10)(21), as printed on the item and sent on notice lines."""
    text = f"(01){gtin}(17){expiry:%y%m%d}(10){lot}"
    return text + (f"(21){serial}" if serial else "")


def place_order(server, sup, supplier_http, lines):
    """A PO confirmed in Odoo and delivered to the supplier's server: (po id, the order as read there)."""
    po = server.rpc(
        "purchase.order",
        "create",
        {
            "partner_id": sup.partner_id,
            "order_line": [(0, 0, {"product_id": p, "product_qty": q, "price_unit": pr}) for p, q, pr in lines],
        },
    )
    server.rpc("purchase.order", "button_confirm", [po])
    db_out = server.rpc(
        "hc.outbound.message",
        "search",
        [["res_model", "=", "purchase.order"], ["res_id", "=", po]],
        order="id",
        limit=1,
    )
    server.rpc("hc.outbound.message", "deliver_now", db_out)
    # the supplier's server is fresh for each test: the first document it received is this order
    received = server.wait_for(lambda: [r for r, _ in supplier_http.log if r.path == "/edi"], timeout=60)
    order = edi.interchange.read(received[0].get_data()).sets[0].document
    assert order["kind"] == "order"
    return po, order


@pytest.mark.parametrize("fmt", ["x12_4010", "edifact_d96a", "cxml"])
def test_substitution_approved_then_shipped_and_billed(odoo_server, db, supplier_http, fmt):
    """The supplier substitutes another item: an ``ack_substitution`` exception that a buyer approves
    over JSON-RPC; the substitute is added to the order and the original's remainder cancelled; the
    ship notice (with a UDI on the lot line) prefills the receipt and the bill for the substitute
    matches and posts."""
    supplier_http.expect_request("/edi", method="POST").respond_with_data("ok", status=200)
    sup = Partner(
        odoo_server,
        fmt,
        supplier_http.url_for("/edi"),
        price_tolerance_percent=1.0,
        min_shelf_life_days=180,
        auto_post_matched_bills=True,
    )
    original, gloves, substitute = sup.product(0, price=12.5), sup.product(1, tracking="lot", price=4.0), sup.product(2)
    po, order = place_order(odoo_server, sup, supplier_http, [(original, 10, 12.5), (gloves, 50, 4.0)])
    po_name = order["name"]
    by_part = {ln["vendor_part"]: ln for ln in order["lines"]}
    orig, glv = by_part[f"VP-{sup.tag}-0"], by_part[f"VP-{sup.tag}-1"]
    sub_gtin = odoo_server.rpc("product.product", "read", [substitute], ["barcode"])[0]["barcode"]
    keys = ("line_id", "buyer_part", "vendor_part", "gtin", "uom")

    # 1. acknowledgment: the original item is substituted (IS / PIA 3 / cXML detail), gloves accepted
    ack = {
        "kind": "po_ack",
        "po_number": po_name,
        "ack_number": "ACK-S",
        "date": str(date.today()),
        "status": "changed",
        "lines": [
            {
                **{k: orig[k] for k in keys},
                "status": "substituted",
                "quantity": "10",
                "price": "12",
                "date": orig["requested_date"],
                "substitute": {
                    "vendor_part": f"VP-{sup.tag}-2",
                    "buyer_part": None,
                    "gtin": sub_gtin,
                    "description": "Equivalent item",
                },
            },
            {
                **{k: glv[k] for k in keys},
                "status": "accepted",
                "quantity": "50",
                "price": "4",
                "date": glv["requested_date"],
                "substitute": None,
            },
        ],
    }
    assert sup.send(ack)["status"] == "done"
    statuses = dict(db.all("SELECT product_id, hc_ack_status FROM purchase_order_line WHERE order_id = %s", po))
    assert statuses == {original: "substituted", gloves: "accepted"}
    assert exception_codes(db, "purchase.order", po) == ["ack_substitution"]
    exc_id = db.value(
        "SELECT id FROM hc_exception WHERE res_model = 'purchase.order' AND res_id = %s AND code = 'ack_substitution'",
        po,
    )

    # 2. a buyer (purchase user and exception approver) approves over JSON-RPC
    buyer = User(
        odoo_server,
        ("purchase.group_purchase_user", "healthcare_integration_base.group_hc_approver"),
    )
    result, error = buyer.jsonrpc("hc.exception", "action_approve", [exc_id], "equivalent item, same price band")
    assert error is None and result is True, error
    assert db.one("SELECT state, decided_by_id FROM hc_exception WHERE id = %s", exc_id) == ("approved", buyer.id)
    rows = db.all(
        "SELECT product_id, product_qty, price_unit, hc_ack_status FROM purchase_order_line WHERE order_id = %s "
        "ORDER BY id",
        po,
    )
    assert [(p, float(q), float(pr), st) for p, q, pr, st in rows] == [
        (original, 0.0, 12.5, "substituted"),
        (gloves, 50.0, 4.0, "accepted"),
        (substitute, 10.0, 12.0, "accepted"),
    ]
    open_original = db.value(
        "SELECT COALESCE(SUM(m.product_uom_qty), 0) FROM stock_move m "
        "JOIN purchase_order_line l ON l.id = m.purchase_line_id "
        "WHERE l.order_id = %s AND l.product_id = %s AND m.state NOT IN ('done', 'cancel')",
        po,
        original,
    )
    assert float(open_original) == 0.0, "the original's remainder is cancelled"

    # 3. ship notice for the substitute (under the original line number) and the gloves, whose
    #    lot and expiry are only in the line's UDI
    expiry = date.today() + timedelta(days=400)
    lot = f"UDI-{sup.tag}"
    # a valid GTIN-14 for the UDI's (01) (the simulated catalogue's barcodes are not GS1-valid)
    base = "0031234" + "".join(str(int(c, 16) % 10) for c in sup.tag)
    udi_gtin = base + str(gs1_check(base))
    asn = {
        "kind": "asn",
        "asn_number": "ASN-S",
        "po_numbers": [po_name],
        "ship_date": str(date.today()),
        "expected_date": str(date.today() + timedelta(days=1)),
        "lines": [
            {
                "line_id": orig["line_id"],
                "po_number": po_name,
                "buyer_part": None,
                "vendor_part": f"VP-{sup.tag}-2",
                "gtin": sub_gtin,
                "quantity": "10",
                "uom": "EA",
                "lot": None,
                "expiry": None,
                "serials": [],
                "sscc": None,
                "udi": None,
            },
            {
                "line_id": glv["line_id"],
                "po_number": po_name,
                "buyer_part": glv["buyer_part"],
                "vendor_part": glv["vendor_part"],
                "gtin": glv["gtin"],
                "quantity": "50",
                "uom": "EA",
                "lot": None,
                "expiry": None,
                "serials": [],
                "sscc": None,
                "udi": udi_of(udi_gtin, expiry, lot, serial="0001"),
            },
        ],
    }
    assert sup.send(asn)["status"] == "done"
    picking = db.value("SELECT id FROM stock_picking WHERE hc_asn_number = 'ASN-S' AND origin = %s", po_name)
    assert picking
    mls = db.all(
        "SELECT ml.product_id, ml.quantity, lot.name, lot.expiration_date::date FROM stock_move_line ml "
        "LEFT JOIN stock_lot lot ON lot.id = ml.lot_id WHERE ml.picking_id = %s ORDER BY ml.product_id",
        picking,
    )
    assert sorted((p, float(q), n, e) for p, q, n, e in mls) == sorted(
        [(gloves, 50.0, lot, expiry), (substitute, 10.0, None, None)]
    ), "the lot and expiry of the gloves come from the UDI"
    assert exception_codes(db, "stock.picking", picking) == []
    odoo_server.rpc(
        "stock.move",
        "write",
        [r[0] for r in db.all("SELECT id FROM stock_move WHERE picking_id = %s AND state != 'cancel'", picking)],
        {"picked": True},
    )
    odoo_server.rpc("stock.picking", "button_validate", [picking], context={"skip_backorder": True})
    assert db.value("SELECT state FROM stock_picking WHERE id = %s", picking) == "done"
    received = dict(db.all("SELECT product_id, qty_received FROM purchase_order_line WHERE order_id = %s", po))
    assert {k: float(v) for k, v in received.items()} == {original: 0.0, gloves: 50.0, substitute: 10.0}

    # 4. the bill for the substitute and the gloves matches and posts
    number = f"INV-{sup.tag}-S"
    invoice = {
        "kind": "invoice",
        "invoice_number": number,
        "date": str(date.today()),
        "currency": "USD",
        "po_numbers": [po_name],
        "total": "320",
        "tax_total": None,
        "charges": [],
        "lines": [
            {
                "line_id": orig["line_id"],
                "po_number": po_name,
                "buyer_part": None,
                "vendor_part": f"VP-{sup.tag}-2",
                "gtin": sub_gtin,
                "quantity": "10",
                "uom": "EA",
                "price": "12",
                "amount": "120",
            },
            {
                "line_id": glv["line_id"],
                "po_number": po_name,
                "buyer_part": glv["buyer_part"],
                "vendor_part": glv["vendor_part"],
                "gtin": glv["gtin"],
                "quantity": "50",
                "uom": "EA",
                "price": "4",
                "amount": "200",
            },
        ],
    }
    assert sup.send(invoice)["status"] == "done"
    bill = db.one("SELECT id, state, hc_match_state FROM account_move WHERE ref = %s", number)
    assert bill[1:] == ("posted", "matched"), bill
    linked = db.all(
        "SELECT l.product_id, aml.quantity, aml.price_unit FROM account_move_line aml "
        "JOIN purchase_order_line l ON l.id = aml.purchase_line_id WHERE aml.move_id = %s ORDER BY l.product_id",
        bill[0],
    )
    assert sorted((p, float(q), float(pr)) for p, q, pr in linked) == sorted(
        [(substitute, 10.0, 12.0), (gloves, 50.0, 4.0)]
    )
    assert exception_codes(db, "account.move", bill[0]) == []


SAMPLES = sorted(p for d in ("x12", "edifact", "cxml", "ubl") for p in (TESTDATA / d).glob("*") if p.is_file())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_samples_go_through(odoo_server, db, path):
    """Real suppliers' documents (for orders we never sent): a clear outcome, never a 500."""
    data = path.read_bytes()
    try:
        ic = edi.interchange.read(data)
    except edi.errors.EdiError:
        pytest.skip("unreadable sample (the lib's tests cover it)")
    fmt = {"x12": "x12_4010", "edifact": "edifact_d96a", "cxml": "cxml", "ubl": "ubl"}[ic.syntax]
    extra = {}
    if ic.syntax == "cxml" and getattr(ic, "auth", None) and ic.auth.get("shared_secret"):
        extra["cxml_shared_secret"] = ic.auth["shared_secret"]
    sup = Partner(
        odoo_server,
        fmt,
        "https://supplier.invalid/edi",
        their_id=(ic.sender_id or "UNKNOWN").strip(),
        their_qualifier=(ic.sender_qualifier or "").strip() if ic.syntax == "x12" else "",
        **extra,
    )
    if fmt == "cxml":
        odoo_server.rpc("hc.trading.partner", "write", [sup.id], {"cxml_domain": ic.sender_qualifier or "NetworkID"})
    resp = sup.endpoint.post(data, content_type=CONTENT[fmt])
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        assert resp.headers["Content-Type"].startswith("application/problem+json")
        return
    status = sup.settled(resp.json()["message_id"])
    assert status["status"] in ("done", "failed"), status
    msg = resp.json()["message_id"]
    kinds = [r[0] for r in db.all("SELECT kind FROM hc_edi_document WHERE inbound_message_id = %s", msg)]
    assert kinds, "the document is recorded"
    if status["status"] == "failed":
        code = db.value(
            "SELECT e.code FROM hc_inbound_message m JOIN hc_exception e ON e.id = m.exception_id WHERE m.id = %s", msg
        )
        assert code, "a failure waits on an exception with a code"
    if "invoice" in kinds:
        # an invoice for an order we never sent: a blocked draft bill and an exception, nothing lost
        row = db.one(
            "SELECT m.id, m.hc_match_state FROM account_move m JOIN hc_edi_document d ON d.id = m.hc_edi_document_id "
            "WHERE d.inbound_message_id = %s LIMIT 1",
            msg,
        )
        assert row and row[1] == "blocked", row
        assert "invoice_unknown_po" in exception_codes(db, "account.move", row[0])
