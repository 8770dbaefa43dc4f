"""Small value helpers shared by the mappings: decimals, dates, item identifiers, statuses."""

import re
from decimal import Decimal, InvalidOperation

DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def to_text(data):
    """Bytes -> text: UTF-16 (BOM or NUL pattern), else UTF-8, else Latin-1; BOM removed."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    raw = bytes(data)
    encoding = None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif len(raw) >= 4 and raw[1] == 0 and raw[3] == 0 and raw[0] != 0:
        encoding = "utf-16-le"
    elif len(raw) >= 4 and raw[0] == 0 and raw[2] == 0 and raw[1] != 0:
        encoding = "utf-16-be"
    if encoding:
        try:
            return raw.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def unwrap(text, terminator):
    """Text wrapped at a fixed width (80-column mainframe files): the line breaks are no layout
    between segments but cuts inside them. Returns the text without those breaks when every line
    but the last has the same length (>= 10) and some line does not end with the terminator."""
    if "\n" not in text:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) < 3:
        return text
    width = len(lines[0])
    if width < 10 or any(len(line) != width for line in lines[:-1]) or len(lines[-1]) > width:
        return text
    if all(line.endswith(terminator) for line in lines[:-1] if line):
        return text
    return "".join(lines)


def dec(value, implied=0, decimal_mark="."):
    """Decimal text of ``value`` (None when empty or not a number); ``implied`` decimals shift."""
    if value is None:
        return None
    text = str(value).strip()
    if decimal_mark != "." and decimal_mark in text:
        text = text.replace(decimal_mark, ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    if implied:
        number = number.scaleb(-implied)
    return _plain(number)


def _plain(number):
    text = format(number, "f")
    return text


def to_decimal(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def fmt_decimal(value, places=None):
    """Text for writing: no exponent, trailing zeros kept as given."""
    number = to_decimal(value)
    if number is None:
        return ""
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return format(number, "f")


def cents(value):
    """Implied two decimals (X12 N2): 1234.5 -> '123450'."""
    number = to_decimal(value)
    if number is None:
        return ""
    return str(int((number * 100).quantize(Decimal(1))))


def date8(value):
    """CCYYMMDD (optionally followed by time) -> YYYY-MM-DD, or None."""
    if not value:
        return None
    text = str(value).strip()
    m = DATE8.match(text)
    if m and len(text) in (8, 12, 14):
        return _valid(m.group(1), m.group(2), m.group(3))
    if len(text) == 6 and text.isdigit():
        return _valid("20" + text[:2], text[2:4], text[4:6])
    m = ISO_DATE.match(text)
    if m:
        return _valid(m.group(1), m.group(2), m.group(3))
    return None


def _valid(y, m, d):
    from datetime import date

    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def iso_date(value):
    """Any ISO date or datetime text -> YYYY-MM-DD, or None."""
    if not value:
        return None
    m = ISO_DATE.match(str(value).strip())
    return _valid(*m.groups()) if m else None


def compact_date(value):
    """YYYY-MM-DD -> CCYYMMDD for writing ('' when absent)."""
    iso = iso_date(value) if value else None
    return iso.replace("-", "") if iso else ""


def line_id(value):
    """The stable line identifier: an int when the text is a number, else None."""
    if value is None:
        return None
    text = str(value).strip()
    if text.isdigit() and len(text) < 19:
        return int(text)
    m = re.match(r"^\d+(?:\.0+)?$", text)
    if m:
        return int(text.split(".")[0])
    return None


# product/service id qualifiers (X12 235, EDIFACT 7143) -> canonical keys
X12_ITEM_QUALIFIERS = {
    "VP": "vendor_part",
    "VN": "vendor_part",
    "VA": "vendor_part",
    "SK": "vendor_part",
    "MG": "vendor_part",
    "BP": "buyer_part",
    "IN": "buyer_part",
    "PI": "buyer_part",
    "UK": "gtin",
    "EN": "gtin",
    "UP": "gtin",
    "UA": "gtin",
    "EO": "gtin",
    "UI": "gtin",
    "UN": "gtin",
}

EDIFACT_ITEM_QUALIFIERS = {
    "SA": "vendor_part",
    "IN": "buyer_part",
    "BP": "buyer_part",
    "MF": "vendor_part",
    "EN": "gtin",
    "SRV": "gtin",
    "UP": "gtin",
}


def gtin14(value):
    """GTIN-8/12/13/14 padded to 14 digits; None for anything that is not a GTIN."""
    text = (value or "").strip()
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        return text.zfill(14)
    return None


# X12 ACK01 line item status -> canonical status
ACK_STATUS = {
    "IA": "accepted",
    "AC": "accepted",
    "AR": "accepted",
    "IE": "accepted",
    "SP": "accepted",
    "IC": "changed",
    "IP": "changed",
    "IQ": "changed",
    "DR": "changed",
    "CA": "changed",
    "IB": "backordered",
    "BP": "backordered",
    "IS": "substituted",
    "IR": "rejected",
    "ID": "rejected",
    "R1": "rejected",
    "R2": "rejected",
    "R3": "rejected",
    "R4": "rejected",
    "IH": "on_hold",
    "IF": "on_hold",
    "IW": "on_hold",
}

STATUS_TO_ACK = {
    "accepted": "IA",
    "changed": "IC",
    "backordered": "IB",
    "substituted": "IS",
    "rejected": "IR",
    "on_hold": "IH",
}


def clean(value):
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def empty_po_ack():
    """The canonical acknowledgment every reader (855 / ORDRSP / cXML / UBL) fills."""
    return {
        "kind": "po_ack",
        "po_number": None,
        "ack_number": None,
        "date": None,
        "status": None,
        "raw_status": None,
        "lines": [],
    }
