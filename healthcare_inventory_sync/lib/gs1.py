"""GTINs and GS1 element strings, read with the ``biip`` library. No ORM.

``parse_gs1`` reads what a scanner or a sender's ``item.gs1`` field carries:

- bracketed element strings (HRI): ``(01)05012345678900(17)270531(10)L2411A``;
- raw element strings, variable-length fields ended by FNC1, sent as GS (``\\x1d``) or as
  one of the textual stand-ins in ``FNC1_TOKENS`` (``<GS>``, ``{FNC1}`` ...);
- any of those behind a symbology identifier (``]C1`` GS1-128, ``]d2`` GS1 DataMatrix,
  ``]Q3`` GS1 QR Code, ``]e0`` DataBar, ``]J1`` DotCode); ``]E0``/``]E4``/``]I1`` (EAN/UPC,
  ITF-14) carry a bare GTIN;
- GS1 Digital Link URIs: ``https://id.gs1.org/01/05012345678900/10/L2411A?17=270531``.

Only the GTIN (01), batch/lot (10), expiry (17) and serial (21) are kept. An expiry day of
``00`` means the last day of that month (GS1 General Specifications 3.4.5); two-digit years
are placed in the window 49 years back to 50 years ahead of today (GS1 GenSpecs 7.12).

Errors raise ``Gs1Error(code, detail)``: ``gtin_check_digit`` when a GTIN's check digit is
wrong, ``gtin_invalid`` for a GTIN that is not 8/12/13/14 digits (``normalise_gtin`` only) and
``gs1_unparseable`` for anything else that cannot be read.
"""

import re
from dataclasses import dataclass
from datetime import date

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, SymbologyIdentifier

GTIN_LENGTHS = (8, 12, 13, 14)
GS = "\x1d"
FNC1_TOKENS = ("<GS>", "{GS}", "[GS]", "<FNC1>", "{FNC1}", "[FNC1]", "\u241d")
"""Textual stand-ins for FNC1 / GS that keyboard-wedge scanners and web forms produce."""
BARE_GTIN_SYMBOLOGIES = {
    GS1Symbology.EAN_13,
    GS1Symbology.EAN_13_WITH_ADD_ON,
    GS1Symbology.EAN_8,
    GS1Symbology.ITF_14,
}
KEPT_AIS = {"01": "gtin", "10": "lot", "17": "expiry", "21": "serial"}
_DIGITS = re.compile(r"[0-9]+")
_URI = re.compile(r"https?://", re.IGNORECASE)


class Gs1Error(Exception):
    """A GTIN or GS1 string that cannot be used; ``code`` is machine-readable."""

    def __init__(self, code, detail):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Gs1Result:
    """What a GS1 string says about an item; ``gtin`` is always 14 digits."""

    gtin: str | None = None
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None


# ---------------------------------------------------------------------------- GTIN


def check_digit(payload):
    """The GS1 mod-10 check digit of ``payload`` (the digits before the check digit)."""
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def normalise_gtin(value):
    """The 14-digit GTIN of an 8, 12, 13 or 14-digit value, after verifying its check digit.

    Raises ``Gs1Error('gtin_invalid')`` when the value is not 8/12/13/14 ASCII digits and
    ``Gs1Error('gtin_check_digit')`` when the check digit is wrong.
    """
    digits = value.strip() if isinstance(value, str) else ""
    if not _DIGITS.fullmatch(digits) or len(digits) not in GTIN_LENGTHS:
        raise Gs1Error("gtin_invalid", "A GTIN has 8, 12, 13 or 14 digits.")
    expected = check_digit(digits[:-1])
    if expected != digits[-1]:
        raise Gs1Error("gtin_check_digit", f"GTIN {digits} has a wrong check digit (expected {expected}).")
    return digits.zfill(14)


def gtin_lookup_keys(barcode):
    """The 14-digit form of a product barcode when it is a valid GTIN, else None.

    ``05012345678900`` and ``5012345678900`` give the same key, so a model can store it and
    compare barcodes with incoming GTINs by value.
    """
    try:
        return normalise_gtin(barcode)
    except Gs1Error:
        return None


gtin_key = gtin_lookup_keys
"""Former name of ``gtin_lookup_keys``, kept for callers that use it."""


# ---------------------------------------------------------------------------- GS1 strings


def _unparseable(detail="The GS1 string could not be read."):
    return Gs1Error("gs1_unparseable", detail)


def _clean(text):
    """Surrounding white space off, textual FNC1 stand-ins turned into GS."""
    value = text.strip()
    for token in FNC1_TOKENS:
        value = value.replace(token, GS)
    return value


def _split_symbology(value):
    """``(symbology or None, rest)``; a leading ``]xx`` is a symbology identifier."""
    if not value.startswith("]"):
        return None, value
    try:
        symbology = SymbologyIdentifier.extract(value)
    except (ParseError, ValueError, IndexError):
        raise _unparseable("Unknown symbology identifier.") from None
    return symbology.gs1_symbology, value[len(symbology) :]


def _element_strings(value):
    """biip's element strings of a bracketed, Digital Link or raw GS1 string."""
    if value.startswith("("):
        return GS1Message.parse_hri(value).element_strings
    if _URI.match(value):
        return GS1DigitalLinkURI.parse(value).element_strings
    return GS1Message.parse(value.lstrip(GS)).element_strings


def _read(value):
    """Element strings, with every failure inside biip turned into ``Gs1Error``."""
    try:
        return _element_strings(value)
    except ParseError as exc:
        raise _unparseable(_parse_error_detail(exc)) from None
    except Exception:
        # biip raises more than ParseError on some malformed input (ValueError, IndexError ...,
        # found by fuzzing); for a sender they all mean the same thing
        raise _unparseable() from None


def _parse_error_detail(exc):
    """biip's message, without echoing more than a short prefix of the input."""
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "..."


def _value_of(element):
    """The kept value of one element string: a date for (17), the 14-digit GTIN for (01)."""
    if element.ai.ai == "01":
        return _gtin_in_string(element.value, "The GTIN (01) must be 14 digits.")
    if element.ai.ai == "17":
        if element.date is None:
            raise _unparseable("The expiry date (17) is not a valid date.")
        return element.date
    return element.value


def _gtin_in_string(value, detail):
    """The 14-digit GTIN inside a GS1 string; only a wrong check digit keeps its own code."""
    try:
        return normalise_gtin(value)
    except Gs1Error as exc:
        if exc.code == "gtin_check_digit":
            raise
        raise _unparseable(detail) from None


def _result(elements):
    """Fold element strings into a ``Gs1Result``; a field given twice must agree."""
    found = {}
    for element in elements:
        field = KEPT_AIS.get(element.ai.ai)
        if field is None:
            continue
        value = _value_of(element)
        if found.setdefault(field, value) != value:
            raise _unparseable(f"AI ({element.ai.ai}) is given twice with different values.")
    return Gs1Result(**found)


def parse_gs1(text):
    """GTIN, lot, expiry and serial from a bracketed, raw (FNC1/GS), symbology-prefixed or
    Digital Link GS1 string; see the module docstring. Raises ``Gs1Error``."""
    if not isinstance(text, str):
        raise _unparseable("A GS1 string must be text.")
    symbology, value = _split_symbology(_clean(text))
    if not value.strip(GS):
        raise _unparseable("Empty GS1 element string.")
    if symbology in BARE_GTIN_SYMBOLOGIES:
        return Gs1Result(gtin=_gtin_in_string(value, "An EAN/UPC/ITF-14 scan carries an 8, 12, 13 or 14-digit GTIN."))
    return _result(_read(value))
