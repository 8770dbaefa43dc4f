"""X12 tokenizer and envelope: separators from the ISA, tolerant layout, strict validation."""

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import interchange, outbound
from ..lib.errors import EdiError

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261201*0930*U*00401*000000007*0*P*>~"
BODY = [
    "GS*SH*SENDER*RECEIVER*20261201*0930*7*X*004010",
    "ST*856*0001",
    "BSN*00*ASN42*20261201*0930",
    "HL*1**S",
    "DTM*011*20261201",
    "HL*2**O",
    "PRF*P00012",
    "HL*3**P",
    "MAN*GM*00003123456789012345",
    "HL*4**I",
    "LIN*4711*VP*V-778*UK*00312345678906*LT*L2411A",
    "SN1**10*EA",
    "DTM*036*20270531",
    "REF*SE*SER-1",
    "HL*5**P",
    "MAN*GM*003123456789012352",
    "HL*6**I",
    "LIN*4712*BP*NS-1000",
    "SN1**2*CA",
    "SE*19*0001",
    "GE*1*7",
    "IEA*1*000000007",
]


def build(body=BODY, isa=ISA, term="~", sep="\n"):
    return (isa.replace("~", term) + sep + sep.join(seg + term for seg in body)).encode()


def test_hl_parents_inferred_from_level_order_when_hl02_blank():
    ic = interchange.read(build())
    assert ic.ok, ic.all_problems()
    doc = ic.sets[0].document
    assert doc["asn_number"] == "ASN42" and doc["po_numbers"] == ["P00012"]
    first, second = doc["lines"]
    assert (first["line_id"], first["lot"], first["expiry"], first["serials"], first["sscc"]) == (
        4711,
        "L2411A",
        "2027-05-31",
        ["SER-1"],
        "003123456789012345",
    )
    # the second item belongs to the second pack (level order), not the first
    assert (second["line_id"], second["buyer_part"], second["sscc"], second["po_number"]) == (
        4712,
        "NS-1000",
        "003123456789012352",
        "P00012",
    )


def test_hl02_given_wins_over_order():
    body = [seg.replace("HL*6**I", "HL*6*3*I") for seg in BODY]
    doc = interchange.read(build(body)).sets[0].document
    assert doc["lines"][1]["sscc"] == "003123456789012345"


@pytest.mark.parametrize(
    ("term", "sep", "prefix"),
    [
        ("~", "\n", ""),
        ("~", "\r\n", "\ufeff"),
        ("~", "", ""),
        ("~", "\n\t  ", "  \n"),
        ("\n", "", ""),
        ("\r\n", "", "\ufeff"),
        ("|", "\r\n    ", ""),
    ],
)
def test_layouts_read_the_same(term, sep, prefix):
    data = prefix.encode() + build(term=term, sep=sep)
    ic = interchange.read(data)
    assert ic.ok, ic.all_problems()
    assert [line["line_id"] for line in ic.sets[0].document["lines"]] == [4711, 4712]


def test_missing_final_terminator_and_other_separators():
    data = build().decode().rstrip().rstrip("~").encode()
    assert interchange.read(data).ok
    other = build().decode().replace("*", "^").replace(">~", ":~").encode()
    ic = interchange.read(other)
    assert ic.ok and ic.separators.element == "^" and ic.separators.component == ":"
    assert ic.sets[0].document["lines"][0]["gtin"] == "00312345678906"


def test_repetition_separator_from_00402():
    isa = ISA.replace("*U*00401*", "*^*00501*")
    ic = interchange.read(build(isa=isa))
    assert ic.separators.repetition == "^" and ic.version == "00501"
    assert interchange.read(build()).separators.repetition is None


def test_envelope_problems():
    bad = [seg.replace("SE*19*0001", "SE*18*0002").replace("IEA*1*000000007", "IEA*2*000000008") for seg in BODY]
    ic = interchange.read(build(bad))
    found = sorted((p.level, p.code, p.segment_tag, p.element_position) for p in ic.all_problems())
    assert found == [
        ("interchange", "control_mismatch", "IEA", 2),
        ("interchange", "count_mismatch", "IEA", 1),
        ("set", "control_mismatch", "SE", 2),
        ("set", "count_mismatch", "SE", 1),
    ]
    assert not ic.ok and not ic.acceptable
    # the document is still read
    assert len(ic.sets[0].document["lines"]) == 2


def test_truncated_interchange_is_read_and_flagged():
    ic = interchange.read(build(BODY[:12]))
    codes = {(p.level, p.code) for p in ic.all_problems()}
    assert codes == {("set", "truncated"), ("group", "truncated"), ("interchange", "truncated")}
    ack = outbound.render_functional_ack(
        ic, outbound.Envelope("R", "ZZ", "S", "ZZ", 1, 1, [1], version="x12_4010", when=datetime(2026, 1, 1))
    )
    assert interchange.read_functional_ack(interchange.read(ack))[0].status == "R"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_an_interchange"),
        (b"ISA", "truncated"),
        (b"ISA*00*", "isa_incomplete"),
        (b"ISAA00A", "bad_separator"),
        (ISA[:-2].encode(), "isa_incomplete"),
        (ISA[:-1].encode(), "truncated"),
        (ISA.replace(">~", ">A").encode() + b"GS*X", "bad_separator"),
        (b"hello world", "not_an_interchange"),
    ],
)
def test_unreadable_x12_raises_edierror(data, code):
    with pytest.raises(EdiError) as err:
        interchange.read(data, "x12")
    assert err.value.code == code
    assert err.value.message


def test_sniff():
    assert interchange.sniff(b"\xef\xbb\xbf  ISA*00") == "x12"
    assert interchange.sniff(b"UNA:+.? 'UNB+") == "edifact"
    assert interchange.sniff(b'{"document": {}}') == "json"
    with pytest.raises(EdiError) as err:
        interchange.sniff(b"%PDF-1.4", "application/pdf")
    assert err.value.code == "not_an_interchange"


def test_read_envelope_addresses_a_rejecting_ack_for_unreadable_interchanges():
    wrong = build(term="~").decode().replace(">~", ">A", 1).replace("~", "A").encode()
    with pytest.raises(EdiError):
        interchange.read(wrong)
    ic = interchange.read_envelope(wrong)
    assert (ic.sender_id, ic.receiver_id, ic.control_number) == ("SENDER", "RECEIVER", "000000007")
    assert [(g.functional_id, g.control_number) for g in ic.groups] == [("SH", "7")]
    assert [p.code for p in ic.problems] == ["bad_separator"] and not ic.ok
    env = outbound.Envelope("RECEIVER", "ZZ", "SENDER", "ZZ", 8, 8, [8], version="x12_4010", when=datetime(2026, 1, 1))
    ack = interchange.read_functional_ack(interchange.read(outbound.render_functional_ack(ic, env)))
    assert [(a.functional_id, a.group_control_number, a.status) for a in ack] == [("SH", "7", "R")]
    broken = b"UNA:+.? 'UNB+UNOC:3+S:14+R:14+261201:0930+REF9'UNH+1+ORDERS:D:96A:UN'BGM+220+1?"
    ic = interchange.read_envelope(broken)
    assert (ic.syntax, ic.sender_id, ic.control_number) == ("edifact", "S", "REF9")
    contrl = outbound.render_functional_ack(ic, env)
    assert interchange.read_functional_ack(interchange.read(contrl))[0].status == "R"
    assert interchange.read_envelope(b"garbage") is None
    assert interchange.read_envelope(build()).ok


SEPARATOR_CHARS = "*|^!`~:>{}#@\\"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(SEPARATOR_CHARS), min_size=3, max_size=3, unique=True),
    st.booleans(),
    st.sampled_from(["", "\n", "\r\n", "\n    "]),
)
def test_other_senders_separators(chars, newline_terminator, suffix):
    """Any separators the ISA declares (and LF as the terminator) read the same document."""
    elem, comp, term = chars
    if newline_terminator:
        term, suffix = "\n", ""
    text = build(sep="").decode()
    translated = "".join({"*": elem, ">": comp, "~": term + suffix}.get(ch, ch) for ch in text)
    ic = interchange.read(translated.encode())
    assert ic.ok, ic.all_problems()
    assert (ic.separators.element, ic.separators.component) == (elem, comp)
    lines = ic.sets[0].document["lines"]
    assert [(line["line_id"], line["sscc"]) for line in lines] == [
        (4711, "003123456789012345"),
        (4712, "003123456789012352"),
    ]


def test_wrapped_at_80_columns():
    flat = build(sep="").decode()
    wrapped = "\r\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    ic = interchange.read(wrapped.encode())
    assert ic.ok, ic.all_problems()
    assert [line["line_id"] for line in ic.sets[0].document["lines"]] == [4711, 4712]
    edi = (
        "UNB+UNOC:3+SENDER:14+RECEIVER:14+261201:0930+REF1'UNH+M1+ORDERS:D:96A:UN'BGM+220+P1+9'"
        "LIN+7++05400111864181:EN'QTY+21:4:EA'UNS+S'UNT+6+M1'UNZ+1+REF1'"
    )
    wrapped = "\n".join(edi[i : i + 80] for i in range(0, len(edi), 80))
    ic = interchange.read(wrapped.encode())
    assert ic.ok, ic.all_problems()
    assert ic.sets[0].document["lines"][0]["quantity"] == "4"


def test_utf16_space_before_line_break_and_ta1():
    utf16 = build().decode().encode("utf-16")
    assert interchange.sniff(utf16) == "x12"
    assert interchange.read(utf16).ok
    assert interchange.read(build().decode().encode("utf-16-le")).ok
    # "…*> \r\n": the terminator is the line break, the space is padding
    spaced = build(term=" ", sep="\r\n")
    ic = interchange.read(spaced)
    assert ic.ok, ic.all_problems()
    assert [line["line_id"] for line in ic.sets[0].document["lines"]] == [4711, 4712]
    ta1 = ISA.replace("*P*", "*P*") + "\nTA1*000000005*261201*0930*A*000~\nIEA*0*000000007~"
    ic = interchange.read(ta1.encode())
    assert ic.ok and not ic.groups


def test_855_split_acknowledgment_ctp_price_and_substitution():
    body = [
        "GS*PR*SENDER*RECEIVER*20261201*0930*7*X*004010",
        "ST*855*0001",
        "BAK*00*AC*P00012*20261201****SO-77*20261202",
        "PO1*4711*10*EA*12.50**VP*V-778*BP*HEP-5000",
        "CTP**CON*13.10",
        "ACK*IA*6*EA*068*20261205",
        "ACK*IB*4*EA*068*20261220",
        "PO1*4712*5*BX*3.00**VP*V-100",
        "ACK*IS*5*BX*068*20261205**VP*V-101*UK*00312345678913",
        "PO1*4713*1*EA*9.00**VP*V-200",
        "ACK*IR*0*EA",
        "CTT*3",
        "SE*12*0001",
        "GE*1*7",
        "IEA*1*000000007",
    ]
    ic = interchange.read(build(body))
    assert ic.ok, ic.all_problems()
    doc = ic.sets[0].document
    assert (doc["po_number"], doc["ack_number"], doc["date"], doc["status"]) == (
        "P00012",
        "SO-77",
        "2026-12-02",
        "changed",
    )
    got = [(x["line_id"], x["status"], x["quantity"], x["price"], x["date"]) for x in doc["lines"]]
    assert got == [
        (4711, "accepted", "6", "13.10", "2026-12-05"),
        (4711, "backordered", "4", "13.10", "2026-12-20"),
        (4712, "substituted", "5", "3.00", "2026-12-05"),
        (4713, "rejected", "0", "9.00", None),
    ]
    assert doc["lines"][2]["substitute"] == {
        "buyer_part": None,
        "vendor_part": "V-101",
        "gtin": "00312345678913",
        "description": None,
    }
    assert doc["lines"][2]["vendor_part"] == "V-100"
