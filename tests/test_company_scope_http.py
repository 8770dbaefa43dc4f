"""Issue 9, cross-company: processing runs with elevated rights, yet every code resolves in the
endpoint's company (and its allowed facilities) only. Over real HTTP, effects read in the database."""

import uuid

import pytest

from .conftest import event
from .test_inventory_http import settled


@pytest.fixture(scope="module")
def two_companies(odoo_server):
    rpc = odoo_server.rpc
    tag = uuid.uuid4().hex[:5].upper()
    company_a = rpc("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    company_b = rpc("res.company", "create", {"name": f"Other Hospital {tag}"})
    rpc("res.users", "write", [2], {"company_ids": [(4, company_b)]})
    in_b = {"allowed_company_ids": [company_b, company_a]}  # company B first: the current company
    wh_b = rpc(
        "stock.warehouse",
        "create",
        {"name": f"Other WH {tag}", "code": f"B{tag[:4]}", "company_id": company_b},
        context=in_b,
    )
    b_stock = rpc("stock.warehouse", "read", [wh_b], ["lot_stock_id"])[0]["lot_stock_id"][0]
    # the same barcode as company A's demo cabinet (barcodes are unique per company only)
    rpc("stock.location", "write", [b_stock], {"barcode": "ICU-CAB-07"})
    b_only_loc = rpc(
        "stock.location",
        "create",
        {"name": f"B pharmacy {tag}", "location_id": b_stock, "barcode": f"B-PHARM-{tag}", "company_id": company_b},
    )
    b_product = rpc(
        "product.product",
        "create",
        {"name": f"B-only gauze {tag}", "default_code": f"B-ONLY-{tag}", "is_storable": True, "company_id": company_b},
    )
    a_cabinet = rpc(
        "stock.location",
        "search_read",
        [["barcode", "=", "ICU-CAB-07"], ["company_id", "=", company_a]],
        ["warehouse_id"],
    )[0]
    return {
        "a": company_a,
        "b": company_b,
        "tag": tag,
        "b_stock": b_stock,
        "b_only_loc": b_only_loc,
        "b_only_barcode": f"B-PHARM-{tag}",
        "b_product": b_product,
        "b_product_code": f"B-ONLY-{tag}",
        "a_cabinet_warehouse": a_cabinet["warehouse_id"][0],
    }


def _post(ep, body):
    res = ep.post(body)
    assert res.status_code == 202, res.text
    return settled(ep, res.json()["message_id"])


def _moves_into(db, location_id):
    return db.value(
        "SELECT count(*) FROM stock_move WHERE location_id = %s OR location_dest_id = %s", location_id, location_id
    )


def test_another_companys_location_barcode_is_unknown(odoo_server, db, two_companies):
    ep = odoo_server.make_endpoint(sync_mode="realtime")  # company A
    before = _moves_into(db, two_companies["b_only_loc"])
    status = _post(ep, event(type="inventory.receipt", location=two_companies["b_only_barcode"], lot="REC-X1"))
    assert status["error"]["code"] == "location_unknown", status
    status = _post(ep, event(location=two_companies["b_only_barcode"]))
    assert status["error"]["code"] == "location_unknown", status
    assert _moves_into(db, two_companies["b_only_loc"]) == before, "no stock of company B moved"


def test_a_shared_barcode_resolves_in_the_endpoints_company(odoo_server, db, two_companies):
    ep_a = odoo_server.make_endpoint(sync_mode="realtime")
    ep_b = odoo_server.make_endpoint(sync_mode="realtime", company_id=two_companies["b"])
    for ep, company in ((ep_a, two_companies["a"]), (ep_b, two_companies["b"])):
        status = _post(ep, event(type="inventory.count", quantity=0, lot=None, expiry=None))
        assert status["status"] == "done", status
        count_id = status["result"]["ids"][0]
        loc_company = db.value(
            "SELECT l.company_id FROM hc_stock_count c JOIN stock_location l ON l.id = c.location_id WHERE c.id = %s",
            count_id,
        )
        assert loc_company == company, "ICU-CAB-07 named by this endpoint is its own company's cabinet"


def test_another_companys_product_and_lot_are_unknown(odoo_server, db, two_companies):
    ep_a = odoo_server.make_endpoint(sync_mode="realtime")
    status = _post(ep_a, event(item={"code": two_companies["b_product_code"]}, lot=None, expiry=None))
    assert status["error"]["code"] == "item_unknown", status
    # company A's demo lot of a shared product, named by company B's cabinet
    ep_b = odoo_server.make_endpoint(sync_mode="realtime", company_id=two_companies["b"])
    status = _post(ep_b, event())
    assert status["error"]["code"] == "lot_unknown", status
    assert _moves_into(db, two_companies["b_stock"]) == 0


def test_allowed_facilities_limit_where_an_endpoint_moves_stock(odoo_server, db, two_companies):
    rpc = odoo_server.rpc
    other_wh = rpc("stock.warehouse", "create", {"name": f"Annex {two_companies['tag']}", "code": two_companies["tag"]})
    ep = odoo_server.make_endpoint(sync_mode="realtime", hc_warehouse_ids=[(6, 0, [other_wh])])
    status = _post(ep, event(type="inventory.count", quantity=0, lot=None, expiry=None))
    assert status["error"]["code"] == "location_unknown", "ICU-CAB-07 is outside the endpoint's facilities"
    rpc("hc.endpoint", "write", [ep.id], {"hc_warehouse_ids": [(6, 0, [two_companies["a_cabinet_warehouse"]])]})
    status = _post(ep, event(type="inventory.count", quantity=0, lot=None, expiry=None))
    assert status["status"] == "done", status
