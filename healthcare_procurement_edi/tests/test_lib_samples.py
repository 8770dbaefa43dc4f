"""Every real sample reads as it is; the validator flags exactly the ones with broken envelopes.

Samples: the copies under tests/golden/samples (with their attribution in SOURCES.md), plus the
shared test data folder and the suite's tests/samples when present (same names are read once).
"""

from pathlib import Path

import pytest

from ..lib import interchange

HERE = Path(__file__).resolve().parent
FOLDERS = [HERE / "golden" / "samples", HERE.parents[2] / "shared" / "testdata", HERE.parents[1] / "tests" / "samples"]
SYNTAX_BY_FOLDER = {"x12": "x12", "edifact": "edifact", "cxml": "cxml", "ubl": "ubl"}


def _samples():
    seen = {}
    for folder in FOLDERS:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix in (".md", ".json"):
                continue
            syntax = SYNTAX_BY_FOLDER.get(path.parent.name)
            if syntax is None:
                syntax = {"x12_850.txt": "x12", "edifact_orders.edi": "edifact", "cxml_order_request.xml": "cxml"}.get(
                    path.name
                )
            if syntax is None:
                continue
            seen.setdefault(path.name, (path, syntax))
    return sorted(seen.values())


SAMPLES = _samples()

# problems the envelope validator must find in the real samples (everything else reads clean)
EXPECTED_PROBLEMS = {
    "x12.810a.edi": {("isa_not_fixed_width", "warning")},
    "edifact.ORDRSP.edi": {("count_mismatch", "error"), ("control_mismatch", "error")},
    # UNT says 21 segments, the message has 18 (UNH..UNT)
    "orders-with-group.edi": {("count_mismatch", "error")},
    "edifact_orders.edi": {("count_mismatch", "error")},
}

# message type and canonical kind of the first set of each sample
EXPECTED_TYPES = {
    "Example1_PGWGlass.txt": ("x12.850", "order"),
    "855SSimmons.txt": ("x12.855", "po_ack"),
    "node-x12_855.edi": ("x12.855", "po_ack"),
    "Example4.txt": ("x12.856", "asn"),
    "856.Crossdock.OK.edi": ("x12.856", "asn"),
    "Example5_Walmart.txt": ("x12.810", "invoice"),
    "x12.810a.edi": ("x12.810", "invoice"),
    "860_Example1.txt": ("x12.860", "order_change"),
    "Example1_HIBCC.txt": ("x12.832", None),
    "stupidedi_004010_FA997.edi": ("x12.997", "functional_ack"),
    "stupidedi_005010X231A1_999.edi": ("x12.999", "functional_ack"),
    "invoic_d97b.edi": ("edifact.INVOIC", "invoice"),
    "pydifact_invoice1_d97a.edi": ("edifact.INVOIC", "invoice"),
    "orders-with-group.edi": ("edifact.ORDERS", "order"),
    "edifact.ORDRSP.edi": ("edifact.ORDRSP", "po_ack"),
    "DESADV.edifact": ("edifact.DESADV", "asn"),
    "OrderRequest.xml": ("cxml.OrderRequest", "order"),
    "ConfirmationRequest_request_doc.xml": ("cxml.ConfirmationRequest", "po_ack"),
    "invoice_taxes_at_line_multiple_taxes.xml": ("cxml.InvoiceDetailRequest", "invoice"),
    "StatusUpdateRequest.xml": ("cxml.StatusUpdateRequest", None),
    "peppol_OrderResponse_Example.xml": ("ubl.OrderResponse", "po_ack"),
    "peppol_DespatchAdvice-BIS3_UseCase5.xml": ("ubl.DespatchAdvice", "asn"),
    "peppol_billing_base-example.xml": ("ubl.Invoice", "invoice"),
}


def test_the_sample_folders_are_found():
    names = {path.name for path, _ in SAMPLES}
    assert {"x12.810a.edi", "edifact.ORDRSP.edi", "OrderRequest.xml", "peppol_billing_base-example.xml"} <= names
    assert len(names) >= 23


@pytest.mark.parametrize(("path", "syntax"), SAMPLES, ids=[p.name for p, _ in SAMPLES])
def test_every_sample_reads_as_it_is(path, syntax):
    data = path.read_bytes()
    assert interchange.sniff(data) == syntax
    ic = interchange.read(data)
    assert ic.syntax == syntax
    assert ic.sets, "at least one transaction set / message / document"
    assert ic.control_number
    found = {(p.code, p.severity) for p in ic.all_problems()}
    assert found == EXPECTED_PROBLEMS.get(path.name, set()), found
    assert ic.ok is (not found)
    if path.name in EXPECTED_TYPES:
        message_type, kind = EXPECTED_TYPES[path.name]
        first = ic.sets[0]
        assert first.message_type == message_type
        assert (first.document or {}).get("kind") == kind
    for tset in ic.sets:
        doc = tset.document
        if doc and doc.get("kind") in ("po_ack", "asn", "invoice", "order", "order_change"):
            assert doc["lines"], f"{path.name}: a {doc['kind']} with lines"
            for line in doc["lines"]:
                for key in ("quantity", "price", "amount"):
                    if line.get(key) is not None:
                        float(line[key])  # Decimal text
                for key in ("expiry", "date", "requested_date"):
                    if line.get(key):
                        assert len(line[key]) == 10 and line[key][4] == "-"


def _read(name):
    for path, _ in SAMPLES:
        if path.name == name:
            return interchange.read(path.read_bytes())
    raise AssertionError(name)


def test_x12_855_line_statuses_and_ids():
    doc = _read("node-x12_855.edi").sets[0].document
    assert doc["po_number"] == "POTEST1112"
    assert [(line["line_id"], line["status"], line["raw_status"]) for line in doc["lines"]] == [
        (1, "accepted", "IA"),
        (2, "rejected", "IR"),
        (3, "rejected", "IR"),
        (4, "accepted", "IA"),
    ]
    assert doc["lines"][0]["gtin"] == "09780446360265"
    two = _read("855SSimmons.txt")
    assert [s.control_number for s in two.sets] == ["0001", "0002"]
    assert two.sets[0].document["lines"][0]["vendor_part"] == "64620451"


def test_x12_856_hierarchy_sscc_and_orders():
    doc = _read("856.Crossdock.OK.edi").sets[0].document
    assert doc["asn_number"] == "000009"
    assert doc["po_numbers"] == ["POREF00", "POREF01"]
    first = doc["lines"][0]
    # SSCC-18 from MAN*GM with its "00" AI prefix removed; GTIN from LIN UP padded to 14
    assert first["sscc"] == "000715670002152360"
    assert first["gtin"] == "00000000000642"
    assert first["quantity"] == "12" and first["po_number"] == "POREF00"
    assert doc["lines"][-1]["po_number"] == "POREF01"
    ex4 = _read("Example4.txt").sets[0].document
    assert [line["line_id"] for line in ex4["lines"]][:3] == [1, 2, 3]


def test_x12_810_totals_in_cents_and_charges():
    doc = _read("Example5_Walmart.txt").sets[0].document
    assert doc["invoice_number"] == "6463367"
    assert doc["total"] == "3875.30"  # TDS*387530
    assert doc["po_numbers"] == ["3376103367"]
    line = doc["lines"][0]
    assert (line["quantity"], line["price"], line["gtin"]) == ("1080", "3.61", "00221089552284")
    assert {"type": "discount", "amount": "-23.50", "code": "I410", "line_id": None} in doc["charges"]


def test_x12_860_deletes_lines():
    doc = _read("860_Example1.txt").sets[0].document
    assert doc["change"] == "change"
    assert [(line["line_id"], line["change"]) for line in doc["lines"]] == [(1, "delete"), (2, "delete")]


def test_functional_acks_read():
    acks = interchange.read_functional_ack(_read("stupidedi_004010_FA997.edi"))
    assert [(a.functional_id, a.group_control_number, a.status) for a in acks] == [("AG", "160", "A")]
    assert acks[0].set_acks[0].set_id == "824" and acks[0].set_acks[0].status == "A"
    acks = interchange.read_functional_ack(_read("stupidedi_005010X231A1_999.edi"))
    assert acks[0].functional_id == "HC" and acks[0].group_control_number == "17456"
    assert [s.status for s in acks[0].set_acks] == ["A", "R", "R"]
    assert any("IK3" in e for e in acks[0].set_acks[1].errors)


def test_edifact_samples_map():
    orders = _read("orders-with-group.edi")
    assert orders.groups[0].functional_id == "ORDERS" and orders.groups[0].control_number == "1"
    line = orders.sets[0].document["lines"][0]
    assert (line["gtin"], line["buyer_part"], line["quantity"], line["price"]) == (
        "05400111864181",
        "8641800",
        "288",
        "12.80",
    )
    invoice = _read("pydifact_invoice1_d97a.edi").sets[0].document
    assert invoice["total"] == "1960.29"
    assert invoice["lines"][0]["price"] == "36.301724"  # PRI basis 100
    desadv = _read("DESADV.edifact")
    assert len(desadv.sets) == 2 and desadv.sets[0].document["po_numbers"] == ["5500011089"]
    ordrsp = _read("edifact.ORDRSP.edi")
    assert ordrsp.sets[0].document["po_number"] == "00001672"


def test_cxml_and_ubl_samples_map():
    conf = _read("ConfirmationRequest_request_doc.xml")
    assert conf.sender_id == "AN01000000147"
    doc = conf.sets[0].document
    assert doc["po_number"] == "400-2591453-0"
    first = doc["lines"][0]
    assert (first["line_id"], first["status"], first["price"], first["vendor_part"]) == (
        1,
        "accepted",
        "4.44",
        "751441",
    )
    despatch = _read("peppol_DespatchAdvice-BIS3_UseCase5.xml").sets[0].document
    first = despatch["lines"][0]
    assert (first["lot"], first["expiry"], first["serials"], first["sscc"], first["gtin"]) == (
        "898A123",
        "2021-07-01",
        ["OR250RHZ444"],
        "173111000000000013",
        "07311100000047",
    )
    response = _read("peppol_OrderResponse_Example.xml").sets[0].document
    assert response["status"] == "changed"
    assert response["lines"][0]["status"] == "substituted"
    assert response["lines"][0]["substitute"]["vendor_part"] == "SN-34"
    invoice = _read("peppol_billing_base-example.xml").sets[0].document
    assert invoice["total"] == "1656.25" and invoice["tax_total"] == "331.25"
