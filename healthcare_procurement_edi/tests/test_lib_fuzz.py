"""Fuzzing: random bytes and mutated real samples never raise anything but EdiError; generated
purchase orders round-trip through every writer."""

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..lib import interchange, outbound
from ..lib.errors import EdiError

SAMPLES = sorted(
    p for p in (Path(__file__).resolve().parent / "golden" / "samples").rglob("*") if p.is_file() and p.suffix != ".md"
)
SAMPLE_BYTES = [p.read_bytes()[:6000] for p in SAMPLES]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_everything(data):
    """Read, validate, map, acknowledge: only EdiError may come out."""
    try:
        ic = interchange.read(data)
    except EdiError as err:
        assert err.code and err.message
        return None
    ic.all_problems()
    interchange.read_functional_ack(ic)
    if ic.syntax in ("x12", "edifact"):
        env = outbound.Envelope(
            "US",
            "ZZ",
            "THEM",
            "ZZ",
            1,
            1,
            [1],
            version="x12_4010" if ic.syntax == "x12" else "edifact_d96a",
            when=datetime(2026, 1, 1),
        )
        try:
            outbound.render_functional_ack(ic, env, x12_kind="997")
        except EdiError:
            pass
    return ic


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    read_everything(data)


@FUZZ
@given(st.sampled_from(["ISA*", "UNA:+.? '", "UNB+", "<cXML>", "<?xml version='1.0'?>", "{"]), st.binary(max_size=300))
def test_random_bytes_after_a_plausible_start(prefix, data):
    read_everything(prefix.encode() + data)


@st.composite
def mutated_sample(draw):
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] = draw(st.sampled_from(b"*~:+'?^|>\n\r \x00A9<&"))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "dup":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 40))]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@FUZZ
@given(mutated_sample())
def test_mutated_samples(data):
    read_everything(data)


text = (
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
code = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-.", min_size=1, max_size=12)
amount = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3, allow_nan=False, allow_infinity=False
)


@st.composite
def purchase_order(draw):
    lines = []
    for line_id in draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=6, unique=True)):
        lines.append(
            {
                "line_id": line_id,
                "buyer_part": draw(code),
                "vendor_part": draw(code),
                "gtin": draw(st.none() | st.from_regex(r"\A[0-9]{14}\Z")),
                "description": draw(text),
                "quantity": str(draw(amount)),
                "uom": draw(st.sampled_from(["EA", "BX", "CA", "PK", "KGM", "LTR"])),
                "price": str(draw(amount)),
                "requested_date": draw(
                    st.none() | st.dates().map(lambda d: d.replace(year=max(d.year, 2000)).isoformat())
                ),
            }
        )
    return {
        "name": draw(code),
        "date": "2026-12-01",
        "currency": draw(st.sampled_from(["USD", "EUR", "GBP"])),
        "buyer": {"name": draw(text), "gln": draw(st.from_regex(r"\A[0-9]{13}\Z")), "id": None},
        "supplier": {"name": draw(text), "gln": None, "id": draw(code)},
        "ship_to": None,
        "requested_date": None,
        "notes": draw(st.none() | text),
        "lines": lines,
    }


def _x12_safe(po):
    blob = repr(po)
    return not any(ch in blob for ch in "*~>^")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    purchase_order(), st.sampled_from(["x12_4010", "x12_5010", "edifact_d96a", "edifact_d01b", "cxml", "ubl", "json"])
)
def test_generated_orders_round_trip(po, fmt):
    env = outbound.Envelope(
        "GENHOSP", "ZZ", "SUPPLIER", "ZZ", 12, 12, [12], version=fmt, when=datetime(2026, 12, 1, 8, 0)
    )
    try:
        data = outbound.render_order(fmt, po, env, shared_secret="x")
    except EdiError as err:
        assert fmt.startswith("x12") and err.code == "separator_in_data" and not _x12_safe(po)
        return
    ic = interchange.read(data)
    assert ic.ok, ic.all_problems()
    doc = ic.sets[0].document
    assert doc["name"] == po["name"] and doc["currency"] == po["currency"]
    assert len(doc["lines"]) == len(po["lines"])
    for got, want in zip(doc["lines"], po["lines"], strict=True):
        assert got["line_id"] == want["line_id"]
        assert Decimal(got["quantity"]) == Decimal(want["quantity"])
        assert Decimal(got["price"]) == Decimal(want["price"])
        assert (got["buyer_part"], got["vendor_part"], got["gtin"], got["uom"]) == (
            want["buyer_part"],
            want["vendor_part"],
            want["gtin"],
            want["uom"],
        )
        assert got["requested_date"] == want["requested_date"]


@FUZZ
@given(st.text(alphabet="UNBH+:' \r\n\tA1.", max_size=80))
def test_edifact_fast_path_equals_pydifact_raw_reader(body):
    """Release-free text is split without pydifact's char-by-char tokenizer: same segments."""
    from ..lib import edifact
    from ..lib.model import Separators

    seps = Separators(element="+", component=":", segment="'", release="?", decimal=".")
    text = "UNB+" + body
    if not text.endswith("'"):
        text += "'"
    fast = edifact._split_plain(text, seps)
    try:
        reference = edifact._pydifact_segments(text, seps, ".", " ")
    except EdiError:
        reference = None
    if fast is not None and reference is not None:
        assert fast == reference
