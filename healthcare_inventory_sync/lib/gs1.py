"""GTINs and GS1 element strings (with the `biip` library). No ORM."""

from dataclasses import dataclass
from datetime import date

from biip import ParseError, parse
from biip.gs1_messages import GS1Message


class Gs1Error(Exception):
    def __init__(self, code, detail):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Gs1Result:
    gtin: str | None = None
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None


def check_digit(payload):
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def normalise_gtin(value):
    """The 14-digit GTIN of an 8, 12, 13 or 14-digit value; verifies the check digit."""
    digits = (value or "").strip()
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise Gs1Error("gtin_invalid", "A GTIN has 8, 12, 13 or 14 digits.")
    if check_digit(digits[:-1]) != digits[-1]:
        raise Gs1Error(
            "gtin_check_digit", f"GTIN {digits} has a wrong check digit (expected {check_digit(digits[:-1])})."
        )
    return digits.zfill(14)


def gtin_key(barcode):
    """The 14-digit form of a product barcode when it is a valid GTIN, else None."""
    try:
        return normalise_gtin(barcode)
    except Gs1Error:
        return None


def parse_gs1(text):
    """GTIN, lot, expiry and serial from a bracketed, raw (FNC1/GS) or Digital Link GS1 string."""
    value = (text or "").strip()
    if not value:
        raise Gs1Error("gs1_unparseable", "Empty GS1 element string.")
    try:
        if value.startswith("("):
            elements = GS1Message.parse_hri(value).element_strings
        else:
            result = parse(value)
            holder = result.gs1_message or result.gs1_digital_link_uri
            if holder is None:
                error = result.gs1_message_error or result.gs1_digital_link_uri_error or ""
                if "check digit" in (result.gtin_error or "") or "check digit" in error:
                    raise Gs1Error("gtin_check_digit", "The GTIN in the GS1 string has a wrong check digit.")
                raise Gs1Error("gs1_unparseable", "Not a GS1 element string or Digital Link.")
            elements = holder.element_strings
    except ParseError as exc:
        code = "gtin_check_digit" if "check digit" in str(exc) else "gs1_unparseable"
        raise Gs1Error(code, "The GS1 string could not be read.") from None
    out = Gs1Result()
    for element in elements:
        ai = element.ai.ai
        if ai == "01":
            out.gtin = normalise_gtin(element.value)
        elif ai == "10":
            out.lot = element.value
        elif ai == "17":
            out.expiry = element.date
        elif ai == "21":
            out.serial = element.value
    return out
