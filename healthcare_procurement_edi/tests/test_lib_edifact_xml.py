"""EDIFACT envelope checks (UNG groups, counts, references, UNA) and the safe XML parser."""

import pytest

from ..lib import interchange
from ..lib.errors import EdiError

UNB = "UNB+UNOC:3+SENDER:14+RECEIVER:14+261201:0930+REF1'"
MSG = [
    "UNH+M1+ORDERS:D:96A:UN'",
    "BGM+220+P1+9'",
    "LIN+7++05400111864181:EN'",
    "QTY+21:4:EA'",
    "PRI+AAA:2,5'",
    "UNS+S'",
    "UNT+7+M1'",
]


def test_ung_groups_counts_and_references():
    text = UNB + "UNG+ORDERS+S+R+261201:0930+G1+UN+D:96A'" + "".join(MSG) + "UNE+1+G1'UNZ+1+REF1'"
    ic = interchange.read(text.encode())
    assert ic.ok, ic.all_problems()
    assert (ic.groups[0].functional_id, ic.groups[0].control_number) == ("ORDERS", "G1")
    line = ic.sets[0].document["lines"][0]
    assert (line["line_id"], line["gtin"], line["quantity"], line["price"]) == (7, "05400111864181", "4", "2.5")
    bad = text.replace("UNE+1+G1", "UNE+2+G2").replace("UNZ+1+REF1", "UNZ+3+REF2")
    found = sorted((p.level, p.code) for p in interchange.read(bad.encode()).all_problems())
    assert found == [
        ("group", "control_mismatch"),
        ("group", "count_mismatch"),
        ("interchange", "control_mismatch"),
        ("interchange", "count_mismatch"),
    ]


def test_una_separators_and_release_honoured():
    text = 'UNA|*.# "' + UNB.replace("+", "*").replace(":", "|").replace("'", '"')
    body = "".join(MSG).replace("+", "*").replace(":", "|").replace("'", '"').replace("BGM*220*P1", "BGM*220*P#*1")
    ic = interchange.read((text + body + 'UNZ*1*REF1"').encode())
    assert ic.ok, ic.all_problems()
    assert ic.sets[0].document["name"] == "P*1"


def test_missing_unt_and_unz_are_flagged_not_fatal():
    ic = interchange.read((UNB + "".join(MSG[:-1])).encode())
    assert {(p.level, p.code) for p in ic.all_problems()} == {("set", "truncated"), ("interchange", "truncated")}
    assert ic.sets[0].document["lines"][0]["quantity"] == "4"


@pytest.mark.parametrize(
    "data",
    [b"UNA", b"UNA:+.? ", b"UNA::::::UNB", b"UNB+UNOC:3+A+B+1+2?", b"UNA:+.? 'XYZ+1'", b"UNB+'"[:3]],
)
def test_unreadable_edifact_raises_edierror(data):
    with pytest.raises(EdiError):
        interchange.read(data, "edifact")


def test_xml_parser_resolves_no_entities_and_loads_no_dtd(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = '<cXML payloadID="1"><Header/><Request><OrderRequest><OrderRequestHeader orderID="&x;"/></OrderRequest>'
    xxe = f'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file://{secret}">]>{body}</Request></cXML>'
    with pytest.raises(EdiError) as err:
        interchange.read(xxe.encode())
    assert err.value.code == "entities_refused"
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><cXML>&lol2;</cXML>'
    with pytest.raises(EdiError):
        interchange.read(bomb.encode())
    remote = (
        '<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "http://127.0.0.1:9/cXML.dtd"><cXML payloadID="2"><Header/>'
        '<Request><OrderRequest><OrderRequestHeader orderID="PO-1"/></OrderRequest></Request></cXML>'
    )
    ic = interchange.read(remote.encode())
    assert ic.sets[0].document["name"] == "PO-1" and "TOPSECRET" not in str(ic.sets[0].document)


@pytest.mark.parametrize("data", [b"<cXML>", b"<Foo/>", b"<?xml version='1.0'?>", b"<a>\xff</a>"])
def test_bad_xml_raises_edierror(data):
    with pytest.raises(EdiError):
        interchange.read(data)


def test_desadv_eancom_lot_expiry_sscc_serials():
    body = [
        "UNH+1+DESADV:D:96A:UN:EAN005'",
        "BGM+351+DN-1+9'",
        "DTM+11:20261203:102'",
        "RFF+ON:P00012'",
        "CPS+1'",
        "CPS+2+1'",
        "PAC+1++201'",
        "PCI+33E'",
        "GIN+BJ+003123456789012345'",
        "LIN+1++00312345678906:EN'",
        "PIA+1+V-778:SA+L77:NB'",
        "QTY+12:10:EA'",
        "RFF+LI::4711'",
        "PCI+36E'",
        "DTM+36:20270531:102'",
        "GIN+BN+SER1+SER2'",
        "CPS+3+1'",
        "LIN+2++05400111864181:EN'",
        "QTY+12:4'",
        "PCI+36E'",
        "DTM+36:20280101:102'",
        "GIN+BX+LOT-B'",
        "UNT+23+1'",
    ]
    ic = interchange.read((UNB + "".join(body) + "UNZ+1+REF1'").encode())
    assert ic.ok, ic.all_problems()
    doc = ic.sets[0].document
    assert (doc["asn_number"], doc["ship_date"], doc["po_numbers"]) == ("DN-1", "2026-12-03", ["P00012"])
    first, second = doc["lines"]
    assert (first["line_id"], first["lot"], first["expiry"], first["sscc"], first["serials"], first["vendor_part"]) == (
        4711,
        "L77",
        "2027-05-31",
        "003123456789012345",
        ["SER1", "SER2"],
        "V-778",
    )
    assert (second["line_id"], second["lot"], second["expiry"], second["sscc"], second["quantity"]) == (
        2,
        "LOT-B",
        "2028-01-01",
        None,
        "4",
    )


def test_line_breaks_as_terminator_without_una():
    text = UNB.rstrip("'") + "\r\n" + "\r\n".join(seg.rstrip("'") for seg in MSG) + "\r\nUNZ+1+REF1\r\n"
    ic = interchange.read(text.encode())
    assert ic.ok, ic.all_problems()
    assert ic.separators.segment == "\n" and ic.sets[0].document["lines"][0]["quantity"] == "4"
