"""GTINs and GS1 strings without a database: every input form, the GS1 date rule, fuzzing."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import gs1

GTIN = "05012345678900"
LOT = "L2411A"
EXPIRY = date(2027, 5, 31)


def _error(func, *args):
    with pytest.raises(gs1.Gs1Error) as err:
        func(*args)
    return err.value


def _with_check_digit(payload):
    return payload + gs1.check_digit(payload)


# ---------------------------------------------------------------------------- forms


@pytest.mark.parametrize(
    "text",
    [
        "(01)05012345678900(17)270531(10)L2411A",
        "(01) 05012345678900 (17) 270531 (10) L2411A",
        "01050123456789001727053110L2411A",
        "0105012345678900\x1d10L2411A\x1d17270531",
        "\x1d0105012345678900\x1d10L2411A\x1d17270531",
        "0105012345678900<GS>10L2411A<GS>17270531",
        "0105012345678900{FNC1}10L2411A[FNC1]17270531",
        "0105012345678900\u241d10L2411A\u241d17270531",
        "]C101050123456789001727053110L2411A",
        "]C1(01)05012345678900(17)270531(10)L2411A",
        "]d20105012345678900\x1d10L2411A\x1d17270531",
        "]Q301050123456789001727053110L2411A",
        "]e001050123456789001727053110L2411A",
        "https://id.gs1.org/01/05012345678900/10/L2411A?17=270531",
        "HTTPS://example.com/any/prefix/01/05012345678900/10/L2411A?17=270531&linkType=gs1:pip",
        "https://id.gs1.org/01/5012345678900/10/L2411A?17=270531",
        "]Q3https://id.gs1.org/01/05012345678900/10/L2411A?17=270531",
        "]d2https://id.gs1.org/01/05012345678900/10/L2411A?17=270531",
        "  (01)05012345678900(17)270531(10)L2411A\r\n",
    ],
)
def test_every_form_gives_gtin_lot_and_expiry(text):
    assert gs1.parse_gs1(text) == gs1.Gs1Result(gtin=GTIN, lot=LOT, expiry=EXPIRY, serial=None)


def test_serial_and_percent_encoded_digital_link_values():
    assert gs1.parse_gs1("(01)05012345678900(21)SN-9").serial == "SN-9"
    assert gs1.parse_gs1("0105012345678900" + "21SN-9\x1d10L1") == gs1.Gs1Result(GTIN, "L1", None, "SN-9")
    link = gs1.parse_gs1("https://id.gs1.org/01/05012345678900/21/SN%2F9")
    assert (link.gtin, link.serial) == (GTIN, "SN/9")


def test_ean_scan_behind_a_symbology_identifier_is_a_bare_gtin():
    assert gs1.parse_gs1("]E05012345678900") == gs1.Gs1Result(gtin=GTIN)
    assert gs1.parse_gs1("]E496385074").gtin == "00000096385074"
    assert _error(gs1.parse_gs1, "]E05012345678901").code == "gtin_check_digit"
    assert _error(gs1.parse_gs1, "]E0ABC").code == "gs1_unparseable"


def test_other_application_identifiers_are_ignored():
    assert gs1.parse_gs1("(00)012345678901234560") == gs1.Gs1Result()
    assert gs1.parse_gs1("(01)05012345678900(30)12(10)L1").lot == "L1"


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [
        ("270500", date(2027, 5, 31)),
        ("270200", date(2027, 2, 28)),
        ("280200", date(2028, 2, 29)),
        ("271200", date(2027, 12, 31)),
        ("270415", date(2027, 4, 15)),
    ],
)
def test_expiry_day_zero_is_the_last_day_of_the_month(yymmdd, expected):
    assert gs1.parse_gs1(f"(01){GTIN}(17){yymmdd}").expiry == expected
    assert gs1.parse_gs1(f"01{GTIN}17{yymmdd}").expiry == expected
    assert gs1.parse_gs1(f"https://id.gs1.org/01/{GTIN}?17={yymmdd}").expiry == expected


@pytest.mark.parametrize("yymmdd", ["271301", "270230", "270532", "2705"])
def test_impossible_expiry_is_unparseable(yymmdd):
    assert _error(gs1.parse_gs1, f"(01){GTIN}(17){yymmdd}").code == "gs1_unparseable"


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    [
        "(01)05012345678901(10)X",
        "01050123456789011727053110L2411A",
        "]C10105012345678901\x1d10X",
        "https://id.gs1.org/01/05012345678901/10/X",
    ],
)
def test_wrong_check_digit_in_a_gs1_string(text):
    err = _error(gs1.parse_gs1, text)
    assert err.code == "gtin_check_digit"
    assert "05012345678901" in err.detail


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x1d",
        "hello",
        "(99",
        "(01)5012345678900",
        "(10)A(10)B",
        "]",
        "]Z9",
        "https://example.com/no/gs1/here",
        None,
        42,
    ],
)
def test_unparseable(text):
    assert _error(gs1.parse_gs1, text).code == "gs1_unparseable"


# ---------------------------------------------------------------------------- GTINs


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("96385074", "00000096385074"),
        ("036000291452", "00036000291452"),
        ("0036000291452", "00036000291452"),
        ("00036000291452", "00036000291452"),
        ("5012345678900", GTIN),
        (GTIN, GTIN),
        (" 5012345678900 ", GTIN),
        ("10012345678902", "10012345678902"),
    ],
)
def test_gtin_8_12_13_14_normalise_to_14_digits(value, expected):
    assert gs1.normalise_gtin(value) == expected
    assert gs1.gtin_lookup_keys(value) == expected


def test_equal_gtins_compare_by_value():
    assert gs1.gtin_lookup_keys("05012345678900") == gs1.gtin_lookup_keys("5012345678900")
    assert gs1.gtin_lookup_keys("036000291452") == gs1.gtin_lookup_keys("00036000291452")
    assert gs1.gtin_key is gs1.gtin_lookup_keys


@pytest.mark.parametrize("value", ["05012345678901", "5012345678901", "036000291453", "96385075"])
def test_gtin_check_digit_is_verified(value):
    assert _error(gs1.normalise_gtin, value).code == "gtin_check_digit"
    assert gs1.gtin_lookup_keys(value) is None


@pytest.mark.parametrize(
    "value",
    ["", "ABC", "1234567", "12345678901", "123456789012345", "5012345-678900", "٥٠١٢٣٤٥٦٧٨٩٠٠", None, 5012345678900],
)
def test_not_a_gtin(value):
    assert _error(gs1.normalise_gtin, value).code == "gtin_invalid"
    assert gs1.gtin_lookup_keys(value) is None


# ---------------------------------------------------------------------------- properties and fuzzing

DIGITS = st.text("0123456789", min_size=1, max_size=1)
LOTS = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=20)
EXPIRIES = st.dates(min_value=date(2020, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def gtins(draw):
    """A valid GTIN of 8, 12, 13 or 14 digits."""
    length = draw(st.sampled_from(gs1.GTIN_LENGTHS))
    payload = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return _with_check_digit(payload)


@settings(max_examples=200, deadline=None)
@given(gtins())
def test_property_gtin_forms_are_one_value(gtin):
    key = gs1.normalise_gtin(gtin)
    assert len(key) == 14 and key.lstrip("0") == gtin.lstrip("0")
    assert gs1.normalise_gtin(key) == key
    if len(gtin) in (12, 13):
        assert gs1.normalise_gtin("0" + gtin) == key
    wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    assert gs1.gtin_lookup_keys(wrong) is None


@settings(max_examples=200, deadline=None)
@given(gtins(), LOTS, EXPIRIES, LOTS)
def test_property_every_form_reads_back(gtin, lot, expiry, serial):
    gtin14 = gs1.normalise_gtin(gtin)
    yymmdd = expiry.strftime("%y%m%d")
    expected = gs1.Gs1Result(gtin=gtin14, lot=lot, expiry=expiry, serial=serial)
    forms = [
        f"(01){gtin14}(17){yymmdd}(10){lot}(21){serial}",
        f"]C101{gtin14}17{yymmdd}10{lot}\x1d21{serial}",
        f"]d201{gtin14}10{lot}\x1d17{yymmdd}21{serial}",
        f"https://id.gs1.org/01/{gtin14}/10/{lot}/21/{serial}?17={yymmdd}",
    ]
    for text in forms:
        assert gs1.parse_gs1(text) == expected, text


GS1_ALPHABET = "0123456789()]<>{}[]/?=&%.-:CdQeEIJ1GSFNhtps\x1d\u241d "


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.text(GS1_ALPHABET, max_size=60)))
def test_fuzz_parse_gs1_raises_only_gs1_error(text):
    try:
        result = gs1.parse_gs1(text)
    except gs1.Gs1Error as exc:
        assert exc.code in ("gs1_unparseable", "gtin_check_digit")
    else:
        assert result.gtin is None or (len(result.gtin) == 14 and result.gtin.isdigit())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=20),
        st.text("0123456789", max_size=16),
        st.sampled_from(["https://id.gs1.org/01/", "(01)", "]C101", "]d2", "]Q3https://x/01/"]).flatmap(
            lambda prefix: st.text(GS1_ALPHABET, max_size=40).map(lambda rest: prefix + rest)
        ),
    )
)
def test_fuzz_prefixed_and_numeric_inputs(text):
    for func in (gs1.parse_gs1, gs1.normalise_gtin):
        try:
            func(text)
        except gs1.Gs1Error as exc:
            assert exc.code in ("gs1_unparseable", "gtin_check_digit", "gtin_invalid")
    key = gs1.gtin_lookup_keys(text)
    assert key is None or len(key) == 14
