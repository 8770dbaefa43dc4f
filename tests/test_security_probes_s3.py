"""Security probes on what issues 11-14 added (procurement EDI part 2, recalls, workforce,
requisitions), from outside: a real user of the role concerned talks JSON-RPC to a running
server, as an attacker with an RPC client would, and the database says whether anything moved.

- decision fields written directly (``readonly`` in a view protects nothing over RPC);
- decision methods called without the deciding group;
- context keys (``default_<field>``) that would seed a decision;
- records of another company (record rules).
"""

import uuid

import pytest

from .test_procurement_flow_http import Partner
from .test_trust_boundaries import User, xmlid

ACCOUNTANT = ("account.group_account_invoice",)
BUYER = ("purchase.group_purchase_user",)
RECEIVER = ("stock.group_stock_user",)
DEPT_APPROVER = ("healthcare_workforce.group_hc_department_approver",)


def error_name(error):
    assert error, "the call was expected to be refused"
    return error["data"]["name"].rsplit(".", 1)[-1]


@pytest.fixture(scope="module")
def tag():
    return uuid.uuid4().hex[:6].upper()


@pytest.fixture(scope="module")
def supplier(odoo_server, tag):
    return odoo_server.rpc("res.partner", "create", {"name": f"Probe Supplier {tag}", "is_company": True})


@pytest.fixture(scope="module")
def product(odoo_server, tag):
    return odoo_server.rpc(
        "product.product", "create", {"name": f"Probe gloves {tag}", "default_code": f"PRB-{tag}", "is_storable": True}
    )


# ---------------------------------------------------------------- the three-way match of a bill
@pytest.fixture
def blocked_bill(odoo_server, db, supplier):
    bill = odoo_server.rpc(
        "account.move",
        "create",
        {
            "move_type": "in_invoice",
            "partner_id": supplier,
            "ref": f"INV-{uuid.uuid4().hex[:8]}",
            "invoice_date": "2026-11-30",
            "invoice_line_ids": [(0, 0, {"name": "Gloves", "quantity": 10, "price_unit": 4.5})],
        },
    )
    # what the EDI invoice flow leaves when the match finds differences (set like the engine does)
    db.execute("UPDATE account_move SET hc_match_state = 'blocked', hc_blocked_since = now() WHERE id = %s", bill)
    return bill


def test_an_accountant_cannot_unblock_a_bill_by_writing_its_match_state(odoo_server, db, blocked_bill):
    accountant = User(odoo_server, ACCOUNTANT)
    for vals in ({"hc_match_state": "matched"}, {"hc_match_state": False}, {"hc_unblocked_at": "2026-12-01 10:00:00"}):
        result, error = accountant.jsonrpc("account.move", "write", [blocked_bill], vals)
        assert error_name(error) == "AccessError", (vals, result)
    assert db.one("SELECT hc_match_state, hc_unblocked_at FROM account_move WHERE id = %s", blocked_bill) == (
        "blocked",
        None,
    )
    # and posting it stays refused until accounts payable approves the differences
    _result, error = accountant.jsonrpc("account.move", "action_post", [blocked_bill])
    assert error_name(error) == "UserError"
    assert db.value("SELECT state FROM account_move WHERE id = %s", blocked_bill) == "draft"
    # an accountant still edits what is theirs on the bill
    _result, error = accountant.jsonrpc("account.move", "write", [blocked_bill], {"narration": "checked"})
    assert error is None, error


def test_a_bill_created_over_rpc_cannot_seed_its_match_state(odoo_server, db, supplier):
    accountant = User(odoo_server, ACCOUNTANT)
    vals = {
        "move_type": "in_invoice",
        "partner_id": supplier,
        "invoice_line_ids": [(0, 0, {"name": "Gloves", "quantity": 1, "price_unit": 4.5})],
    }
    _result, error = accountant.jsonrpc("account.move", "create", {**vals, "hc_match_state": "approved"})
    assert error_name(error) == "AccessError"
    # a default in the context is input too: ignored
    bill, error = accountant.jsonrpc(
        "account.move",
        "create",
        vals,
        context={"default_hc_match_state": "approved", "default_hc_first_pass_match": True},
    )
    assert error is None, error
    assert db.one("SELECT hc_match_state, hc_first_pass_match FROM account_move WHERE id = %s", bill) == (None, None)


# ---------------------------------------------------------------- the supplier's acknowledgment of an order
def test_a_buyer_cannot_mark_an_order_or_its_lines_acknowledged(odoo_server, db, supplier, product):
    po = odoo_server.rpc(
        "purchase.order",
        "create",
        {"partner_id": supplier, "order_line": [(0, 0, {"product_id": product, "product_qty": 5, "price_unit": 4.5})]},
    )
    odoo_server.rpc("purchase.order", "button_confirm", [po])
    line = db.value("SELECT id FROM purchase_order_line WHERE order_id = %s", po)
    receipt = db.value(
        "SELECT id FROM stock_picking WHERE origin = (SELECT name FROM purchase_order WHERE id = %s)", po
    )
    buyer = User(odoo_server, BUYER)
    probes = [
        ("purchase.order.line", [line], {"hc_ack_status": "accepted"}),
        ("purchase.order.line", [line], {"hc_ack_qty": 500}),
        ("purchase.order", [po], {"edi_ack_state": "received"}),
        ("purchase.order", [po], {"hc_ack_on_time": True}),
        # through the order's one2many, as the web client writes lines
        ("purchase.order", [po], {"order_line": [(1, line, {"hc_ack_status": "accepted"})]}),
    ]
    for model, ids, vals in probes:
        _result, error = buyer.jsonrpc(model, "write", ids, vals)
        assert error_name(error) == "AccessError", (model, vals)
    assert db.one("SELECT hc_ack_status, coalesce(hc_ack_qty, 0) FROM purchase_order_line WHERE id = %s", line) == (
        "pending",
        0,
    )
    assert db.one("SELECT edi_ack_state, hc_ack_on_time FROM purchase_order WHERE id = %s", po) == ("none", None)
    # what the buyer owns still changes
    _result, error = buyer.jsonrpc("purchase.order.line", "write", [line], {"product_qty": 6})
    assert error is None, error
    # a receiver cannot mark the receipt "received as notified" (the supplier's scorecard reads it)
    receiver = User(odoo_server, RECEIVER)
    _result, error = receiver.jsonrpc("stock.picking", "write", [receipt], {"hc_asn_accurate": True})
    assert error_name(error) == "AccessError"
    assert db.value("SELECT hc_asn_accurate FROM stock_picking WHERE id = %s", receipt) is None
    # nor tie a detailed operation to a ship notice (the receipt-vs-notice check reads that link)
    ml = db.value("SELECT id FROM stock_move_line WHERE picking_id = %s ORDER BY id LIMIT 1", receipt)
    assert ml is not None
    doc = db.value("SELECT id FROM hc_edi_document ORDER BY id LIMIT 1")
    _result, error = receiver.jsonrpc("stock.move.line", "write", [ml], {"hc_asn_document_id": doc})
    assert error_name(error) == "AccessError"
    assert db.value("SELECT hc_asn_document_id FROM stock_move_line WHERE id = %s", ml) is None


# ---------------------------------------------------------------- a trading partner's credentials
def test_a_buyer_neither_reads_nor_replaces_a_trading_partners_secret(odoo_server, db):
    sup = Partner(odoo_server, "cxml", "https://supplier.example/edi")
    before = db.all("SELECT id, secret_encrypted FROM hc_edi_secret WHERE trading_partner_id = %s", sup.id)
    assert len(before) == 1 and "s3cret" not in before[0][1]
    buyer = User(odoo_server, BUYER)
    rows, error = buyer.jsonrpc(
        "hc.trading.partner", "read", [sup.id], ["cxml_shared_secret", "cxml_shared_secret_set"]
    )
    assert error is None, error
    assert rows[0]["cxml_shared_secret"] is False and rows[0]["cxml_shared_secret_set"] is True
    _result, error = buyer.jsonrpc("hc.trading.partner", "write", [sup.id], {"cxml_shared_secret": "attacker"})
    assert error_name(error) == "AccessError"
    _result, error = buyer.jsonrpc("hc.edi.secret", "search_read", [], ["secret_encrypted"])
    assert error_name(error) == "AccessError"
    assert db.all("SELECT id, secret_encrypted FROM hc_edi_secret WHERE trading_partner_id = %s", sup.id) == before


# ---------------------------------------------------------------- recall cases
def test_a_receiver_cannot_close_a_recall_by_writing_or_calling_close(odoo_server, db, tag):
    lot_product = odoo_server.rpc(
        "product.product",
        "create",
        {"name": f"Probe heparin {tag}", "is_storable": True, "tracking": "lot"},
    )
    lot = odoo_server.rpc("stock.lot", "create", {"name": f"L-{tag}", "product_id": lot_product})
    recall = odoo_server.rpc(
        "hc.recall", "create", {"product_id": lot_product, "lot_ids": [(6, 0, [lot])], "reason": "Particles (probe)"}
    )
    receiver = User(odoo_server, RECEIVER)
    for vals in ({"state": "closed"}, {"closed_by_id": receiver.id}, {"state": "quarantined"}):
        _result, error = receiver.jsonrpc("hc.recall", "write", [recall], vals)
        assert error_name(error) == "AccessError", vals
    # closing is an approver's decision
    _result, error = receiver.jsonrpc("hc.recall", "action_close", [recall], "nothing left")
    assert error_name(error) == "AccessError"
    assert db.one("SELECT state, closed_by_id FROM hc_recall WHERE id = %s", recall) == ("open", None)


# ---------------------------------------------------------------- requisitions
def test_a_department_approver_cannot_approve_by_writing_the_requisition(odoo_server, db, product, tag):
    employee = odoo_server.rpc("hr.employee", "create", {"name": f"Probe nurse {tag}"})
    ward = odoo_server.rpc("stock.warehouse", "search_read", [], fields=["lot_stock_id"], limit=1)[0]["lot_stock_id"][0]
    req = odoo_server.rpc(
        "hc.requisition",
        "create",
        {
            "requester_id": employee,
            "location_dest_id": ward,
            "reason": "probe",
            "line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product,
                        "product_qty": 2,
                        "product_uom_id": xmlid(odoo_server, "uom.product_uom_unit"),
                    },
                )
            ],
        },
    )
    approver = User(odoo_server, DEPT_APPROVER)
    for vals in (
        {"state": "approved"},
        {"approver_id": approver.id},
        {"decided_by_id": approver.id, "decision_reason": "self-approved"},
        {"over_budget": False},
    ):
        _result, error = approver.jsonrpc("hc.requisition", "write", [req], vals)
        assert error_name(error) == "AccessError", vals
    assert db.one("SELECT state, approver_id, decided_by_id FROM hc_requisition WHERE id = %s", req) == (
        "draft",
        None,
        None,
    )
    # once submitted, what it asks for is what the approver decides on: a buyer cannot change it
    buyer = User(odoo_server, ("healthcare_workforce.group_hc_buyer",))
    line = db.value("SELECT id FROM hc_requisition_line WHERE requisition_id = %s", req)
    _result, error = buyer.jsonrpc("hc.requisition.line", "write", [line], {"product_qty": 3})
    assert error is None, "a draft's items are still the requester's and the buyer's to edit"
    db.execute("UPDATE hc_requisition SET state = 'waiting_approval' WHERE id = %s", req)  # as submitting does
    for model, method, args in (
        ("hc.requisition.line", "write", ([line], {"product_qty": 300})),
        ("hc.requisition.line", "write", ([line], {"price_unit": 0.01})),
        ("hc.requisition.line", "unlink", ([line],)),
        ("hc.requisition", "write", ([req], {"line_ids": [(0, 0, {"product_id": product, "product_qty": 99})]})),
    ):
        _result, error = buyer.jsonrpc(model, method, *args)
        assert error_name(error) == "UserError", (model, method, args)
    assert db.all("SELECT product_qty FROM hc_requisition_line WHERE requisition_id = %s", req) == [(3.0,)]


# ---------------------------------------------------------------- another company's approval limits
def test_another_companys_hr_cannot_raise_a_roles_approval_limit(odoo_server, db, tag):
    company_a = odoo_server.rpc("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    currency = odoo_server.rpc("res.company", "read", [company_a], ["currency_id"])[0]["currency_id"][0]
    role = odoo_server.rpc(
        "hc.workforce.role",
        "create",
        {"name": f"Ward lead {tag}", "code": f"LEAD-{tag}", "company_id": company_a},
    )
    limit = odoo_server.rpc(
        "hc.workforce.role.limit", "create", {"role_id": role, "currency_id": currency, "amount": 1000}
    )
    company_b = odoo_server.rpc("res.company", "create", {"name": f"Other Hospital {tag}"})
    hr_b = User(odoo_server, ("hr.group_hr_manager",))
    odoo_server.rpc("res.users", "write", [hr_b.id], {"company_ids": [(6, 0, [company_b])], "company_id": company_b})
    seen, error = hr_b.jsonrpc("hc.workforce.role.limit", "search", [["id", "=", limit]])
    assert error is None and seen == [], (seen, error)
    _result, error = hr_b.jsonrpc("hc.workforce.role.limit", "write", [limit], {"amount": 10_000_000})
    assert error_name(error) == "AccessError"
    assert float(db.value("SELECT amount FROM hc_workforce_role_limit WHERE id = %s", limit)) == 1000.0
