"""UN/EDIFACT: pydifact's raw segment reader, our own envelope checks, mappings and writer.

pydifact's ``Interchange`` cannot read UNG groups and never checks UNT/UNE/UNZ counts, so the
raw tokens are read with its tokenizer/parser and the envelope is built and validated here.
"""

from decimal import Decimal

from . import common
from .common import clean, dec, line_id
from .envelope import Nesting
from .errors import EdiError
from .model import FunctionalAck, Group, Interchange, Problem, Separators, Set, SetAck

try:  # pragma: no cover - import guard
    from pydifact.control.characters import Characters
    from pydifact.parser import Parser, TokenIterator
    from pydifact.tokenizer import Tokenizer
except ImportError:  # pragma: no cover
    Characters = Parser = TokenIterator = Tokenizer = None

VERSIONS = {
    "edifact_d96a": ("D", "96A"),
    "edifact_d01b": ("D", "01B"),
}
NO_RELEASE = "\x00"


def decode(data):
    if isinstance(data, str):
        text = data
    else:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise EdiError("not_an_interchange", "The document is not bytes or text.")
        text = common.to_text(data)
    return text.lstrip("\ufeff").strip()


def tokenize(data):
    """``(segments, separators)``: segments are ``[tag, element, ...]`` (composites as lists)."""
    if Tokenizer is None:  # pragma: no cover
        raise EdiError("unavailable", "The pydifact library is not installed.")
    text = decode(data)
    una = text.startswith("UNA")
    declared = text[8] if una and len(text) >= 9 else "'"
    if declared not in "\r\n":
        text = common.unwrap(text, declared)
    if una:
        if len(text) < 9:
            raise EdiError("truncated", "The UNA service string advice is incomplete.", "UNA", 1)
        comp, elem, decimal, release, reserved, term = text[3:9]
        text = text[9:].strip()
    else:
        comp, elem, decimal, release, reserved, term = ":+.? '"
    if (
        len({comp, elem, term}) != 3
        or any(ch.isalnum() or ch in "\r\n\t" for ch in (comp, elem, term))
        or " " in (comp, elem, term)
    ):
        raise EdiError("bad_separator", "The UNA separators are not distinct usable characters.", "UNA", 1)
    first_line = text.split("\n", 1)[0]
    if not una and "'" not in first_line and "\n" in text and first_line.startswith("UNB"):
        term = "\n"  # no UNA and one segment per line without apostrophes: the line break ends them
        text = text.replace("\r\n", "\n")
    if release == " " or release.isalnum() or release in (comp, elem, term):
        release = None
    if not text.startswith("UNB"):
        raise EdiError("not_an_interchange", "An EDIFACT interchange starts with UNA or UNB.")
    if not text.endswith(term) or (release and text.endswith(release + term) and not text.endswith(release * 2 + term)):
        text = text + term
    seps = Separators(
        element=elem,
        component=comp,
        repetition=reserved if reserved not in (" ", "") else None,
        segment=term,
        release=release,
        decimal=decimal if decimal in ",." else ".",
    )
    segments = _split_plain(text, seps) if release is None or release not in text else None
    if segments is None:
        segments = _pydifact_segments(text, seps, decimal, reserved)
    if not segments:
        raise EdiError("truncated", "The interchange has no segments.")
    return segments, seps


def _pydifact_segments(text, seps, decimal, reserved):
    """pydifact's raw segment reader (tokenizer + raw segments; no Segment classes)."""
    chars = Characters(
        component_separator=seps.component,
        data_separator=seps.element,
        decimal_point=decimal,
        escape_character=seps.release or NO_RELEASE,
        reserved=reserved,
        segment_terminator=seps.segment,
    )
    chars.line_terminators = list(LINE_TERMINATORS)
    try:
        tokens = TokenIterator(Tokenizer().get_tokens(text, chars))
        parser = Parser(characters=chars)
        segments = []
        while True:
            raw = parser.convert_tokens_to_raw_segments(tokens)
            try:
                seg = next(raw)
            except StopIteration:
                break
            if not seg:
                continue
            tag = seg[0]
            if isinstance(tag, list):
                raise EdiError("bad_segment", "A segment tag is a composite.", None, len(segments) + 1)
            seg[0] = tag.strip()
            segments.append(seg)
    except EdiError:
        raise
    except RecursionError as err:  # pragma: no cover
        raise EdiError("unreadable", "The interchange cannot be read.") from err
    except Exception as err:  # pydifact raises EDISyntaxError, RuntimeError, AssertionError...
        raise EdiError("syntax_error", "The EDIFACT syntax cannot be read (separators or release characters).") from err
    return segments


LINE_TERMINATORS = (" ", "\r", "\n", "\t")


def _split_plain(text, seps):
    """Fast path with exactly pydifact's raw-segment output for text without a release character
    (its tokenizer reads one character at a time: ~10x slower on a 20-line notice). Returns None
    when the text has a shape only pydifact should judge (empty segments, composite tags)."""
    pieces = text.split(seps.segment)
    if pieces[-1].strip(" \r\n\t"):
        return None
    segments = []
    comp, elem = seps.component, seps.element
    for piece in pieces[:-1]:
        piece = piece.lstrip("".join(LINE_TERMINATORS))  # noqa: PLW2901 - pydifact skips these after a terminator
        if not piece:
            return None
        seg = []
        for value in piece.split(elem):
            if comp in value:
                parts = value.split(comp)
                while parts and parts[-1] == "":
                    parts.pop()
                seg.append("" if not parts else parts[0] if len(parts) == 1 else parts)
            else:
                seg.append(value)
        if isinstance(seg[0], list):
            return None
        seg[0] = seg[0].strip()
        segments.append(seg)
    return segments


def el(seg, i, j=None):
    """Element ``i`` (1-based) of ``seg``; component ``j`` (0-based) when given."""
    if len(seg) <= i:
        return ""
    value = seg[i]
    if isinstance(value, list):
        if j is None:
            j = 0
        return (value[j] or "").strip() if len(value) > j and isinstance(value[j], str) else ""
    if j not in (None, 0):
        return ""
    return (value or "").strip() if isinstance(value, str) else ""


def parse(data):
    segments, seps = tokenize(data)
    unb = segments[0]
    if unb[0] != "UNB":
        raise EdiError("not_an_interchange", "An EDIFACT interchange starts with UNA or UNB.")
    if len(unb) < 6 or not el(unb, 5):
        raise EdiError("truncated", "The UNB segment is incomplete (no interchange control reference).", "UNB", 1)
    ic = Interchange(
        syntax="edifact",
        version=":".join(x for x in (el(unb, 1, 0), el(unb, 1, 1)) if x),
        sender_id=el(unb, 2, 0),
        sender_qualifier=el(unb, 2, 1),
        receiver_id=el(unb, 3, 0),
        receiver_qualifier=el(unb, 3, 1),
        control_number=el(unb, 5),
        date=_unb_date(el(unb, 4, 0)),
        test=el(unb, 11) == "1",
        separators=seps,
    )
    problems = ic.problems
    nest = Nesting(
        problems,
        _close_msg,
        _close_group,
        "A UNT without its UNH.",
        "A UNE without its UNG.",
        "Segments follow the UNZ segment.",
    )
    implicit = None
    explicit_groups = 0
    for pos, seg in enumerate(segments[1:], start=2):
        tag = seg[0]
        if nest.set is not None and tag not in ("UNT", "UNH", "UNE", "UNZ", "UNG"):
            nest.set.segments.append(seg)
            continue
        if tag == "UNG":
            nest.drop_group(pos)
            explicit_groups += 1
            nest.group = Group(
                functional_id=el(seg, 1),
                control_number=el(seg, 5),
                sender_app=el(seg, 2, 0),
                receiver_app=el(seg, 3, 0),
                version=":".join(x for x in (el(seg, 7, 0), el(seg, 7, 1)) if x),
                position=pos,
            )
            ic.groups.append(nest.group)
        elif tag == "UNH":
            nest.drop_set()
            target = nest.group
            if target is None:
                if implicit is None:
                    implicit = Group(functional_id="", control_number="", position=pos)
                    ic.groups.append(implicit)
                target = implicit
            set_id = el(seg, 2, 0)
            nest.set = Set(
                set_id=set_id,
                control_number=el(seg, 1),
                message_type=f"edifact.{set_id}",
                segments=[seg],
                position=pos,
                version=(el(seg, 2, 1) + el(seg, 2, 2)),
            )
            target.sets.append(nest.set)
        elif tag == "UNT":
            nest.end_set(seg, pos)
        elif tag == "UNE":
            nest.end_group(seg, pos)
        elif tag == "UNZ":
            nest.end_interchange(seg, pos, len(segments))
            break
        else:
            problems.append(
                Problem("segment_outside_set", "A segment outside any message.", tag[:3], pos, None, "interchange")
            )
    nest.drop_set()
    nest.drop_group(len(segments) + 1)
    unz = nest.trailer
    if unz is None:
        problems.append(
            Problem("truncated", "The interchange has no UNZ trailer (truncated).", "UNZ", None, None, "interchange")
        )
    else:
        seg, pos = unz
        if explicit_groups:
            expected = explicit_groups + (1 if implicit is not None else 0)
        else:
            expected = len(ic.sets)
        if el(seg, 1) != str(expected):
            problems.append(
                Problem(
                    "count_mismatch",
                    "UNZ 0036 does not match the number of messages or groups.",
                    "UNZ",
                    pos,
                    1,
                    "interchange",
                )
            )
        if el(seg, 2) != ic.control_number:
            problems.append(
                Problem("control_mismatch", "UNZ 0020 does not match the UNB reference.", "UNZ", pos, 2, "interchange")
            )
    for tset in ic.sets:
        mapper = MAPPERS.get(tset.set_id)
        tset.document = mapper(tset.segments, seps) if mapper else None
    return ic


def _unb_date(value):
    if len(value) == 6 and value.isdigit():
        return common.date8(value)
    if len(value) == 8 and value.isdigit():
        return common.date8(value)
    return None


def _close_msg(msg, unt):
    if unt is None:
        msg.problems.append(Problem("truncated", "The message has no UNT trailer.", "UNT", None, None, "set"))
        return
    count = len(msg.segments)
    if el(unt, 1) != str(count):
        msg.problems.append(
            Problem(
                "count_mismatch",
                "UNT 0074 does not match the number of segments in the message.",
                "UNT",
                count,
                1,
                "set",
            )
        )
    if el(unt, 2) != msg.control_number:
        msg.problems.append(
            Problem("control_mismatch", "UNT 0062 does not match the UNH reference.", "UNT", count, 2, "set")
        )


def _close_group(group, une, pos):
    if une is None:
        group.problems.append(Problem("truncated", "The group has no UNE trailer.", "UNE", None, None, "group"))
        return
    if el(une, 1) != str(len(group.sets)):
        group.problems.append(
            Problem(
                "count_mismatch", "UNE 0060 does not match the number of messages in the group.", "UNE", pos, 1, "group"
            )
        )
    if el(une, 2) != group.control_number:
        group.problems.append(
            Problem("control_mismatch", "UNE 0048 does not match the UNG reference.", "UNE", pos, 2, "group")
        )


# --------------------------------------------------------------------------- mappings


def _num(seg, i, j, seps):
    return dec(el(seg, i, j).replace(",", ".") if seps.decimal == "," or "," in el(seg, i, j) else el(seg, i, j))


def _date(seg):
    """DTM C507: qualifier, value, format (102 CCYYMMDD, 203 CCYYMMDDHHMM, 101 YYMMDD)."""
    value, fmt = el(seg, 1, 1), el(seg, 1, 2)
    if fmt in ("102", "203", "204", "") and len(value) >= 8:
        return common.date8(value[:8])
    if fmt == "101" and len(value) == 6:
        return common.date8(value)
    return common.date8(value)


def _party(seg):
    party = {"name": None, "gln": None, "id": None}
    ident, agency = el(seg, 2, 0), el(seg, 2, 2)
    if ident:
        if agency == "9" and ident.isdigit() and len(ident) == 13:
            party["gln"] = ident
        else:
            party["id"] = ident
    name = el(seg, 4, 0) or el(seg, 3, 0)
    party["name"] = clean(name)
    street = el(seg, 5, 0)
    if street:
        party["street"] = street
    if el(seg, 6):
        party["city"] = el(seg, 6)
    if el(seg, 8):
        party["zip"] = el(seg, 8)
    if el(seg, 9):
        party["country"] = el(seg, 9)
    return party


def _new_item(seg):
    """LIN: 1082 line number, 1229 action, C212 item (7140 id, 7143 type)."""
    item = {"buyer_part": None, "vendor_part": None, "gtin": None}
    code, qual = el(seg, 3, 0), el(seg, 3, 1)
    if code:
        key = common.EDIFACT_ITEM_QUALIFIERS.get(
            qual, "gtin" if code.isdigit() and len(code) in (8, 12, 13, 14) and not qual else None
        )
        if key == "gtin":
            code = common.gtin14(code)
        if key:
            item[key] = code
    return item


def _lin_entry(doc, seg, **fields):
    """A document line opened by a LIN segment (its id and item numbers; quantity, unit and price
    to come), appended to ``doc["lines"]``; ``fields`` are the document kind's own keys."""
    entry = {"line_id": line_id(el(seg, 1)), **_new_item(seg), "quantity": None, "uom": None, "price": None, **fields}
    doc["lines"].append(entry)
    return entry


def _pia(seg, item):
    for i in range(2, min(len(seg), 7)):
        code, qual = el(seg, i, 0), el(seg, i, 1)
        key = common.EDIFACT_ITEM_QUALIFIERS.get(qual)
        if code and key and not item.get(key):
            item[key] = common.gtin14(code) if key == "gtin" else code


def _walk_lines(segments, seps, on_line, on_header, on_seg):
    """Generic LIN loop: calls back for header segments, each new line and line segments."""
    current = None
    summary = False
    for seg in segments[1:]:
        tag = seg[0]
        if tag == "UNS":
            summary = True
            current = None
            continue
        if tag == "LIN":
            current = on_line(seg)
            continue
        if tag == "UNT":
            break
        if current is None or summary:
            on_header(seg, summary)
        else:
            on_seg(current, seg)


def map_orders(segments, seps, kind="order"):
    doc = {
        "kind": kind,
        "name": None,
        "date": None,
        "currency": None,
        "buyer": None,
        "supplier": None,
        "ship_to": None,
        "requested_date": None,
        "notes": None,
        "lines": [],
    }
    notes = []

    def header(seg, summary):
        tag = seg[0]
        if tag == "BGM":
            doc["name"] = clean(el(seg, 2, 0))
            doc["message_function"] = clean(el(seg, 3))
        elif tag == "DTM":
            qual = el(seg, 1, 0)
            if qual == "137":
                doc["date"] = _date(seg)
            elif qual in ("2", "64", "69", "10"):
                doc["requested_date"] = doc["requested_date"] or _date(seg)
        elif tag == "CUX":
            doc["currency"] = doc["currency"] or clean(el(seg, 1, 1))
        elif tag == "FTX":
            text = " ".join(x for x in (el(seg, 4, k) for k in range(5)) if x)
            if text:
                notes.append(text)
        elif tag == "NAD":
            role = el(seg, 1)
            party = _party(seg)
            if role == "BY" and not doc["buyer"]:
                doc["buyer"] = {k: party.get(k) for k in ("name", "gln", "id")}
            elif role in ("SU", "SE") and not doc["supplier"]:
                doc["supplier"] = {k: party.get(k) for k in ("name", "gln", "id")}
            elif role in ("DP", "ST") and not doc["ship_to"]:
                doc["ship_to"] = {k: party.get(k) for k in ("name", "gln", "id", "street", "city", "zip", "country")}
        elif tag == "RFF" and el(seg, 1, 0) == "ON" and not doc["name"]:
            doc["name"] = clean(el(seg, 1, 1))

    def line(seg):
        item = _new_item(seg)
        entry = {
            "line_id": line_id(el(seg, 1)),
            **item,
            "description": None,
            "quantity": None,
            "uom": None,
            "price": None,
            "requested_date": None,
        }
        if kind == "order_change":
            action = el(seg, 2)
            entry["change_code"] = action or None
            entry["change"] = {"1": "add", "2": "delete"}.get(action, "change")
        doc["lines"].append(entry)
        return entry

    def line_seg(entry, seg):
        tag = seg[0]
        if tag == "PIA":
            _pia(seg, entry)
        elif tag == "IMD" and not entry["description"]:
            entry["description"] = clean(el(seg, 3, 3)) or clean(el(seg, 3, 0))
        elif tag == "QTY" and el(seg, 1, 0) in ("21", "1", "113", "12") and entry["quantity"] is None:
            entry["quantity"] = _num(seg, 1, 1, seps)
            entry["uom"] = clean(el(seg, 1, 2)) or entry["uom"]
        elif tag == "PRI" and entry["price"] is None:
            entry["price"] = _num(seg, 1, 1, seps)
        elif tag == "DTM" and el(seg, 1, 0) in ("2", "64", "69", "10"):
            entry["requested_date"] = entry["requested_date"] or _date(seg)
        elif tag == "RFF" and el(seg, 1, 0) == "LI" and entry["line_id"] is None:
            entry["line_id"] = line_id(el(seg, 1, 2) or el(seg, 1, 1))

    _walk_lines(segments, seps, line, header, line_seg)
    doc["notes"] = "\n".join(notes) or None
    if kind == "order_change":
        doc["change"] = "cancel" if doc.get("message_function") == "1" else "change"
    return doc


def map_ordchg(segments, seps):
    return map_orders(segments, seps, kind="order_change")


# ORDRSP: BGM 1225 message function and LIN 1229 action
ORDRSP_HEADER = {"29": "accepted", "4": "changed", "27": "rejected", "12": "accepted", "5": "changed", "1": "rejected"}
ORDRSP_LINE = {
    "5": "accepted",
    "4": "accepted",
    "3": "changed",
    "6": "changed",
    "24": "changed",
    "7": "rejected",
    "2": "rejected",
    "10": "rejected",
    "1": "changed",
}


def map_ordrsp(segments, seps):
    doc = common.empty_po_ack()

    def header(seg, summary):
        tag = seg[0]
        if tag == "BGM":
            doc["ack_number"] = clean(el(seg, 2, 0))
            doc["raw_status"] = clean(el(seg, 3))
            doc["status"] = ORDRSP_HEADER.get(el(seg, 3), "changed" if el(seg, 3) else "accepted")
        elif tag == "DTM" and el(seg, 1, 0) == "137":
            doc["date"] = _date(seg)
        elif tag == "RFF" and el(seg, 1, 0) == "ON" and not doc["po_number"]:
            doc["po_number"] = clean(el(seg, 1, 1))
        elif tag == "CUX":
            doc["currency"] = clean(el(seg, 1, 1))

    def line(seg):
        action = el(seg, 2)
        return _lin_entry(
            doc,
            seg,
            status=ORDRSP_LINE.get(action, "accepted" if not action else "on_hold"),
            raw_status=action or None,
            date=None,
            substitute=None,
            _backorder=None,
        )

    def line_seg(entry, seg):
        tag = seg[0]
        if tag == "PIA":
            if el(seg, 1) in ("X", "3") or (
                el(seg, 1) == "5" and any(entry[k] for k in ("gtin", "vendor_part", "buyer_part"))
            ):
                # PIA 4347 'X'/'3' (or a product identification next to the LIN item): substitute
                sub = {"buyer_part": None, "vendor_part": None, "gtin": None, "description": None}
                _pia(seg, sub)
                if el(seg, 1) in ("X", "3"):
                    entry["substitute"] = sub
                    entry["status"] = "substituted"
                else:
                    _pia(seg, entry)
            else:
                _pia(seg, entry)
        elif tag == "QTY":
            qual = el(seg, 1, 0)
            value = _num(seg, 1, 1, seps)
            if qual == "83":
                entry["_backorder"] = value
            elif qual in ("113", "21", "12", "145", "1") and (entry["quantity"] is None or qual == "113"):
                entry["quantity"] = value
                entry["uom"] = clean(el(seg, 1, 2)) or entry["uom"]
        elif tag == "PRI" and entry["price"] is None:
            entry["price"] = _num(seg, 1, 1, seps)
        elif tag == "DTM" and el(seg, 1, 0) in ("2", "17", "69", "10", "11", "64", "506"):
            entry["date"] = entry["date"] or _date(seg)
        elif tag == "RFF" and el(seg, 1, 0) == "LI" and el(seg, 1, 2):
            entry["line_id"] = line_id(el(seg, 1, 2))
        elif tag == "RFF" and el(seg, 1, 0) == "LI" and el(seg, 1, 1) and entry["line_id"] is None:
            entry["line_id"] = line_id(el(seg, 1, 1))
        elif tag == "RFF" and el(seg, 1, 0) == "ON" and not doc["po_number"]:
            doc["po_number"] = clean(el(seg, 1, 1))

    _walk_lines(segments, seps, line, header, line_seg)
    for entry in doc["lines"]:
        backorder = entry.pop("_backorder")
        if backorder not in (None, "0") and entry["status"] in ("accepted", "changed") and Decimal(backorder) > 0:
            entry["status"] = "backordered"
    return doc


def map_desadv(segments, seps):
    doc = {
        "kind": "asn",
        "asn_number": None,
        "po_numbers": [],
        "ship_date": None,
        "expected_date": None,
        "date": None,
        "lines": [],
    }
    state = {"sscc": None, "line": None, "pci": None, "po": None}

    def add_po(number):
        if number and number not in doc["po_numbers"]:
            doc["po_numbers"].append(number)

    for seg in segments[1:]:
        tag = seg[0]
        line = state["line"]
        if tag == "BGM":
            doc["asn_number"] = clean(el(seg, 2, 0))
        elif tag == "DTM" and line is None:
            qual = el(seg, 1, 0)
            if qual == "137":
                doc["date"] = _date(seg)
            elif qual == "11":
                doc["ship_date"] = _date(seg)
            elif qual in ("17", "2", "132", "358", "191"):
                doc["expected_date"] = doc["expected_date"] or _date(seg)
        elif tag == "RFF" and el(seg, 1, 0) == "ON":
            add_po(clean(el(seg, 1, 1)))
            if line is not None:
                line["po_number"] = clean(el(seg, 1, 1))
                if el(seg, 1, 2) and line["line_id"] is None:
                    line["line_id"] = line_id(el(seg, 1, 2))
            else:
                state["po"] = clean(el(seg, 1, 1))
        elif tag == "RFF" and el(seg, 1, 0) == "LI" and line is not None:
            line["line_id"] = line_id(el(seg, 1, 2) or el(seg, 1, 1))
        elif tag == "CPS":
            state["line"] = None
            state["pci"] = None
            state["sscc"] = None
        elif tag == "PCI":
            state["pci"] = el(seg, 1)
        elif tag == "GIN":
            qual = el(seg, 1)
            values = [el(seg, i, 0) for i in range(2, len(seg)) if el(seg, i, 0)]
            if qual == "BJ":
                if line is not None and state["pci"] in (None, "33E") and line["sscc"] is None and values:
                    line["sscc"] = _sscc(values[0])
                elif line is None and values:
                    state["sscc"] = _sscc(values[0])
            elif qual == "BX" and line is not None and values:
                line["lot"] = line["lot"] or values[0]
            elif qual in ("BN", "SN") and line is not None:
                line["serials"].extend(values)
            elif qual == "ML" and line is not None and values and not line["lot"]:
                line["lot"] = values[0]
        elif tag == "LIN":
            item = _new_item(seg)
            state["line"] = {
                "line_id": line_id(el(seg, 1)),
                "po_number": state["po"],
                **item,
                "quantity": None,
                "uom": None,
                "lot": None,
                "expiry": None,
                "serials": [],
                "sscc": state["sscc"],
                "udi": None,
                "description": None,
            }
            state["pci"] = None
            doc["lines"].append(state["line"])
        elif line is None:
            continue
        elif tag == "PIA":
            _pia(seg, line)
            for k in range(2, min(len(seg), 7)):
                # 7143 NB batch number, SN serial number (EANCOM)
                if el(seg, k, 1) == "NB" and el(seg, k, 0) and not line["lot"]:
                    line["lot"] = el(seg, k, 0)
                elif el(seg, k, 1) == "SN" and el(seg, k, 0):
                    line["serials"].append(el(seg, k, 0))
                elif el(seg, k, 1) in ("UD", "UDI") and el(seg, k, 0) and not line["udi"]:
                    line["udi"] = el(seg, k, 0)
        elif tag == "IMD" and not line["description"]:
            line["description"] = clean(el(seg, 3, 3)) or clean(el(seg, 3, 0))
        elif tag == "QTY" and el(seg, 1, 0) in ("12", "46", "21", "1") and line["quantity"] is None:
            line["quantity"] = _num(seg, 1, 1, seps)
            line["uom"] = clean(el(seg, 1, 2))
        elif tag == "DTM" and el(seg, 1, 0) in ("36", "361"):
            line["expiry"] = line["expiry"] or _date(seg)
        elif tag == "RFF" and el(seg, 1, 0) in ("BT", "ACI") and not line["lot"] and el(seg, 1, 0) == "BT":
            line["lot"] = clean(el(seg, 1, 1))
    if len(doc["po_numbers"]) == 1:
        for entry in doc["lines"]:
            entry["po_number"] = entry["po_number"] or doc["po_numbers"][0]
    return doc


def _sscc(value):
    text = (value or "").strip()
    if len(text) == 20 and text.startswith("00") and text.isdigit():
        return text[2:]
    return text or None


def map_invoic(segments, seps):
    doc = {
        "kind": "invoice",
        "invoice_number": None,
        "date": None,
        "currency": None,
        "po_numbers": [],
        "total": None,
        "tax_total": None,
        "charges": [],
        "lines": [],
    }
    state = {"alc": None}

    def header(seg, summary):
        tag = seg[0]
        if tag == "BGM":
            doc["invoice_number"] = clean(el(seg, 2, 0))
            doc["document_type"] = clean(el(seg, 1, 0))
        elif tag == "DTM" and el(seg, 1, 0) in ("137", "3") and not doc["date"]:
            doc["date"] = _date(seg)
        elif tag == "RFF" and el(seg, 1, 0) == "ON" and el(seg, 1, 1) and el(seg, 1, 1) not in doc["po_numbers"]:
            doc["po_numbers"].append(el(seg, 1, 1))
        elif tag == "CUX":
            doc["currency"] = doc["currency"] or clean(el(seg, 1, 1))
        elif tag == "ALC":
            state["alc"] = {
                "type": _alc_type(seg),
                "amount": None,
                "code": clean(el(seg, 5, 0)) or None,
                "_sign": -1 if el(seg, 1) == "A" else 1,
            }
            doc["charges"].append(state["alc"])
        elif tag == "MOA":
            qual, amount = el(seg, 1, 0), _num(seg, 1, 1, seps)
            if (
                state["alc"] is not None
                and qual in ("8", "23", "204", "25")
                and state["alc"]["amount"] is None
                and amount is not None
            ):
                state["alc"]["amount"] = common.fmt_decimal(Decimal(amount) * state["alc"]["_sign"])
            elif summary and qual in ("77", "86", "9", "39") and amount is not None:
                if qual in ("77", "86") or doc["total"] is None:
                    doc["total"] = amount if qual != "39" or doc["total"] is None else doc["total"]
            elif summary and qual in ("124", "176", "150") and amount is not None and doc["tax_total"] is None:
                doc["tax_total"] = amount

    def line(seg):
        state["alc"] = None
        return _lin_entry(doc, seg, po_number=None, amount=None, description=None)

    def line_seg(entry, seg):
        tag = seg[0]
        if tag == "PIA":
            _pia(seg, entry)
        elif tag == "IMD" and not entry["description"]:
            entry["description"] = clean(el(seg, 3, 3)) or clean(el(seg, 3, 0))
        elif tag == "QTY" and el(seg, 1, 0) in ("47", "46", "12") and entry["quantity"] is None:
            entry["quantity"] = _num(seg, 1, 1, seps)
            entry["uom"] = clean(el(seg, 1, 2))
        elif tag == "PRI" and (entry["price"] is None or el(seg, 1, 0) == "AAA"):
            price = _num(seg, 1, 1, seps)
            basis = _num(seg, 1, 4, seps)
            if price is not None and basis not in (None, "0", "1") and Decimal(basis) != 0:
                price = common.fmt_decimal(Decimal(price) / Decimal(basis))
            entry["price"] = price
        elif tag == "MOA" and el(seg, 1, 0) in ("203", "38", "66") and entry["amount"] is None:
            entry["amount"] = _num(seg, 1, 1, seps)
        elif tag == "RFF" and el(seg, 1, 0) == "ON":
            entry["po_number"] = clean(el(seg, 1, 1))
            if entry["po_number"] and entry["po_number"] not in doc["po_numbers"]:
                doc["po_numbers"].append(entry["po_number"])
            if el(seg, 1, 2) and entry["line_id"] is None:
                entry["line_id"] = line_id(el(seg, 1, 2))
        elif tag == "RFF" and el(seg, 1, 0) == "LI":
            entry["line_id"] = line_id(el(seg, 1, 2) or el(seg, 1, 1))
        elif tag == "ALC":
            state["alc"] = {
                "type": _alc_type(seg),
                "amount": None,
                "code": clean(el(seg, 5, 0)) or None,
                "_sign": -1 if el(seg, 1) == "A" else 1,
                "line_id": entry["line_id"],
            }
            doc["charges"].append(state["alc"])
        elif (
            tag == "MOA"
            and state["alc"] is not None
            and el(seg, 1, 0) in ("8", "23", "204", "25")
            and state["alc"]["amount"] is None
        ):
            amount = _num(seg, 1, 1, seps)
            if amount is not None:
                state["alc"]["amount"] = common.fmt_decimal(Decimal(amount) * state["alc"]["_sign"])

    _walk_lines(segments, seps, line, header, line_seg)
    for charge in doc["charges"]:
        charge.pop("_sign", None)
    doc["charges"] = [c for c in doc["charges"] if c["amount"] is not None]
    if len(doc["po_numbers"]) == 1:
        for entry in doc["lines"]:
            entry["po_number"] = entry["po_number"] or doc["po_numbers"][0]
    for entry in doc["lines"]:
        if entry["amount"] is None and entry["quantity"] is not None and entry["price"] is not None:
            entry["amount"] = common.fmt_decimal(Decimal(entry["quantity"]) * Decimal(entry["price"]))
    return doc


def _alc_type(seg):
    code = el(seg, 5, 0)
    if code in ("FC", "FI", "ABW", "DL"):
        return "freight"
    if el(seg, 1) == "A":
        return "discount"
    if code in ("TX", "TAX"):
        return "tax"
    return "other"


def map_contrl(segments, seps):
    return {"kind": "functional_ack"}


MAPPERS = {
    "ORDERS": map_orders,
    "ORDCHG": map_ordchg,
    "ORDRSP": map_ordrsp,
    "DESADV": map_desadv,
    "INVOIC": map_invoic,
    "CONTRL": map_contrl,
}

CONTRL_STATUS = {"7": "A", "8": "A", "4": "R", "": "A"}


def read_contrl(tset):
    """CONTRL -> FunctionalAck list (one per UCF group, else one for the interchange)."""
    out = []
    uci_ref = ""
    uci_status = "A"
    current = None
    top_level = []
    for seg in tset.segments:
        tag = seg[0]
        if tag == "UCI":
            uci_ref = el(seg, 1)
            uci_status = CONTRL_STATUS.get(el(seg, 4), "R")
        elif tag == "UCF":
            current = FunctionalAck(
                functional_id="",
                group_control_number=el(seg, 1),
                status=CONTRL_STATUS.get(el(seg, 4), "R"),
                set_acks=[],
                interchange_control_number=uci_ref,
            )
            out.append(current)
        elif tag == "UCM":
            ack = SetAck(
                set_id=el(seg, 2, 0),
                control_number=el(seg, 1),
                status=CONTRL_STATUS.get(el(seg, 3), "R"),
                errors=[f"UCM error {el(seg, 4)}"] if el(seg, 4) else [],
            )
            (current.set_acks if current is not None else top_level).append(ack)
        elif tag in ("UCS", "UCD"):
            target = current.set_acks if current is not None else top_level
            if target:
                if tag == "UCS":
                    target[-1].errors.append(f"UCS segment {el(seg, 1)} error {el(seg, 2)}".strip())
                else:
                    target[-1].errors.append(f"UCD element {el(seg, 2, 0)} error {el(seg, 1)}".strip())
    if not out or top_level:
        status = uci_status
        if top_level and status == "A":
            rejected = sum(1 for ack in top_level if ack.status == "R")
            if rejected == len(top_level):
                status = "R"
            elif rejected:
                status = "P"
        out.insert(0, FunctionalAck("", "", status, top_level, uci_ref))
    return out


# --------------------------------------------------------------------------- writing


class Writer:
    """EDIFACT serialisation with UNA and release-character escaping."""

    def __init__(self, comp=":", elem="+", decimal=".", release="?", term="'"):
        self.comp, self.elem, self.decimal, self.release, self.term = comp, elem, decimal, release, term
        self.special = {comp, elem, release, term}

    def una(self):
        return f"UNA{self.comp}{self.elem}{self.decimal}{self.release} {self.term}"

    def escape(self, value):
        text = "" if value is None else str(value)
        if "\r" in text or "\n" in text:
            text = " ".join(text.split())
        return "".join(self.release + ch if ch in self.special else ch for ch in text)

    def element(self, value):
        if isinstance(value, (list, tuple)):
            parts = [self.escape(v) for v in value]
            while parts and parts[-1] == "":
                parts.pop()
            return self.comp.join(parts)
        return self.escape(value)

    def segment(self, tag, *elements):
        values = [self.element(v) for v in elements]
        while values and values[-1] == "":
            values.pop()
        return self.elem.join([tag, *values]) + self.term + "\n"


def _message_version(env, set_id):
    directory = VERSIONS.get(env.version, ("D", "96A"))
    if set_id == "CONTRL":
        return ("CONTRL", "D", "3", "UN")
    return (set_id, directory[0], directory[1], "UN")


def render_interchange(env, messages):
    """``messages``: list of ``(set_id, body_segments)``; writes UNA/UNB/UNH.../UNT/UNZ."""
    w = Writer()
    when = env.when
    out = [w.una() + "\n"]
    icn = str(env.interchange_control_number)
    unb = [
        ("UNOC", "3"),
        (env.sender_id, env.sender_qualifier or ""),
        (env.receiver_id, env.receiver_qualifier or ""),
        (when.strftime("%y%m%d"), when.strftime("%H%M")),
        icn,
    ]
    if env.test:
        unb += ["", "", "", "", "", "1"]
    if len(icn) > 14:
        raise EdiError("field_too_long", "The interchange control reference is longer than 14 characters.", "UNB", 1, 5)
    out.append(w.segment("UNB", *unb))
    numbers = list(env.set_control_numbers or [])
    for index, (set_id, body) in enumerate(messages):
        ref = str(numbers[index] if index < len(numbers) else index + 1)
        out.append(w.segment("UNH", ref, _message_version(env, set_id)))
        for seg in body:
            out.append(w.segment(*seg))
        out.append(w.segment("UNT", str(len(body) + 2), ref))
    out.append(w.segment("UNZ", str(len(messages)), icn))
    return "".join(out).encode("utf-8")


def _nad(role, party, ship=False):
    if not party:
        return []
    if party.get("gln"):
        ident = (party["gln"], "", "9")
    elif party.get("id") not in (None, ""):
        ident = (str(party["id"]), "", "92")
    else:
        ident = ""
    seg = ["NAD", role, ident, "", party.get("name") or ""]
    if ship:
        seg += [
            party.get("street") or "",
            party.get("city") or "",
            "",
            party.get("zip") or "",
            party.get("country") or "",
        ]
    return [tuple(seg)]


def _line_items(line):
    segs = []
    if line.get("vendor_part") or line.get("buyer_part"):
        pia = ["PIA", "1"]
        if line.get("vendor_part"):
            pia.append((line["vendor_part"], "SA"))
        if line.get("buyer_part"):
            pia.append((line["buyer_part"], "IN"))
        segs.append(tuple(pia))
    return segs


def _dtm(qual, value):
    return ("DTM", (qual, common.compact_date(value), "102"))


def orders_body(po, env, function="9", doc_code="220", kind=None):
    body = [("BGM", doc_code, po.get("name") or "", function)]
    if po.get("date"):
        body.append(_dtm("137", po["date"]))
    if po.get("requested_date"):
        body.append(_dtm("2", po["requested_date"]))
    if po.get("notes"):
        text = " ".join(str(po["notes"]).split())
        chunks = [text[i : i + 512] for i in range(0, len(text), 512)][:5]
        body.append(("FTX", "PUR", "", "", tuple(chunks)))
    if doc_code == "230" and po.get("name"):
        body.append(("RFF", ("ON", po["name"])))
    body.extend(_nad("BY", po.get("buyer")))
    body.extend(_nad("SU", po.get("supplier")))
    body.extend(_nad("DP", po.get("ship_to"), ship=True))
    if po.get("currency"):
        body.append(("CUX", ("2", po["currency"], "9")))
    lines = po.get("lines") or []
    for line in lines:
        gtin = (line["gtin"], "EN") if line.get("gtin") else ""
        action = ""
        if kind is not None:
            change = line.get("change") or ("delete" if kind == "cancel" else "change")
            action = line.get("change_code") or {"add": "1", "delete": "2"}.get(change, "3")
        body.append(("LIN", str(line.get("line_id") or ""), action, gtin))
        body.extend(_line_items(line))
        if line.get("description"):
            body.append(("IMD", "F", "", ("", "", "", line["description"][:70])))
        body.append(("QTY", ("21", common.fmt_decimal(line.get("quantity")), line.get("uom") or "")))
        if line.get("requested_date"):
            body.append(_dtm("2", line["requested_date"]))
        if line.get("price") not in (None, ""):
            body.append(("PRI", ("AAA", common.fmt_decimal(line.get("price")))))
        if line.get("line_id") not in (None, ""):
            body.append(("RFF", ("LI", "", str(line["line_id"]))))
    body.append(("UNS", "S"))
    body.append(("CNT", ("2", str(len(lines)))))
    return body


def ordchg_body(po, env, kind):
    return orders_body(po, env, function="1" if kind == "cancel" else "4", doc_code="230", kind=kind)


ACTION_FOR_STATUS = {
    "accepted": "5",
    "changed": "3",
    "backordered": "3",
    "substituted": "3",
    "rejected": "7",
    "on_hold": "4",
}


def ordrsp_body(ack, env):
    """Writer used by tests and partner simulators: canonical po_ack -> ORDRSP body."""
    function = {"accepted": "29", "rejected": "27"}.get(ack.get("status"), "4")
    body = [("BGM", "231", ack.get("ack_number") or "", function)]
    if ack.get("date"):
        body.append(_dtm("137", ack["date"]))
    body.append(("RFF", ("ON", ack.get("po_number") or "")))
    for line in ack.get("lines") or []:
        gtin = (line["gtin"], "EN") if line.get("gtin") else ""
        action = line.get("raw_status") or ACTION_FOR_STATUS.get(line.get("status"), "5")
        body.append(("LIN", str(line.get("line_id") or ""), action, gtin))
        body.extend(_line_items(line))
        sub = line.get("substitute")
        if sub:
            pia = ["PIA", "3"]  # UNCL 4347: 3 = substituted by
            for key, qual in (("vendor_part", "SA"), ("buyer_part", "IN"), ("gtin", "EN")):
                if sub.get(key):
                    pia.append((sub[key], qual))
            body.append(tuple(pia))
        body.append(
            (
                "QTY",
                (
                    "113" if line.get("status") != "backordered" else "21",
                    common.fmt_decimal(line.get("quantity")),
                    line.get("uom") or "",
                ),
            )
        )
        if line.get("status") == "backordered":
            body.append(("QTY", ("83", common.fmt_decimal(line.get("quantity")), line.get("uom") or "")))
        if line.get("date"):
            body.append(_dtm("2", line["date"]))
        if line.get("price") not in (None, ""):
            body.append(("PRI", ("AAA", common.fmt_decimal(line["price"]))))
        if line.get("line_id") not in (None, ""):
            body.append(("RFF", ("LI", "", str(line["line_id"]))))
    body.append(("UNS", "S"))
    return body


def desadv_body(asn, env):
    """Writer used by tests and partner simulators: canonical asn -> DESADV (EANCOM style)."""
    body = [("BGM", "351", asn.get("asn_number") or "", "9")]
    if asn.get("date"):
        body.append(_dtm("137", asn["date"]))
    if asn.get("ship_date"):
        body.append(_dtm("11", asn["ship_date"]))
    if asn.get("expected_date"):
        body.append(_dtm("17", asn["expected_date"]))
    pos = asn.get("po_numbers") or []
    if len(pos) == 1:
        body.append(("RFF", ("ON", pos[0])))
    body.append(("CPS", "1"))
    cps = 1
    for line in asn.get("lines") or []:
        cps += 1
        body.append(("CPS", str(cps), "1"))
        if line.get("sscc"):
            body.append(("PAC", "1", "", "201"))
            body.append(("PCI", "33E"))
            body.append(("GIN", "BJ", line["sscc"]))
        gtin = (line["gtin"], "EN") if line.get("gtin") else ""
        body.append(("LIN", str(line.get("line_id") or ""), "", gtin))
        body.extend(_line_items(line))
        if line.get("udi"):
            body.append(("PIA", "1", (line["udi"], "UD")))  # the GS1 UDI element string
        body.append(("QTY", ("12", common.fmt_decimal(line.get("quantity")), line.get("uom") or "")))
        if line.get("po_number") and len(pos) != 1:
            body.append(("RFF", ("ON", line["po_number"], str(line.get("line_id") or ""))))
        if line.get("line_id") not in (None, ""):
            body.append(("RFF", ("LI", "", str(line["line_id"]))))
        if line.get("lot") or line.get("expiry"):
            body.append(("PCI", "36E"))
            if line.get("expiry"):
                body.append(_dtm("36", line["expiry"]))
            if line.get("lot"):
                body.append(("GIN", "BX", line["lot"]))
        for serial in line.get("serials") or []:
            body.append(("GIN", "BN", serial))
    body.append(("CNT", ("2", str(len(asn.get("lines") or [])))))
    return body


def invoic_body(inv, env):
    """Writer used by tests and partner simulators: canonical invoice -> INVOIC body."""
    body = [("BGM", "380", inv.get("invoice_number") or "", "9")]
    if inv.get("date"):
        body.append(_dtm("137", inv["date"]))
    for po in inv.get("po_numbers") or []:
        body.append(("RFF", ("ON", po)))
    if inv.get("currency"):
        body.append(("CUX", ("2", inv["currency"], "4")))
    for line in inv.get("lines") or []:
        gtin = (line["gtin"], "EN") if line.get("gtin") else ""
        body.append(("LIN", str(line.get("line_id") or ""), "", gtin))
        body.extend(_line_items(line))
        body.append(("QTY", ("47", common.fmt_decimal(line.get("quantity")), line.get("uom") or "")))
        if line.get("amount") not in (None, ""):
            body.append(("MOA", ("203", common.fmt_decimal(line["amount"]))))
        body.append(("PRI", ("AAA", common.fmt_decimal(line.get("price")))))
        if line.get("po_number"):
            body.append(("RFF", ("ON", line["po_number"], str(line.get("line_id") or ""))))
        if line.get("line_id") not in (None, ""):
            body.append(("RFF", ("LI", "", str(line["line_id"]))))
    body.append(("UNS", "S"))
    if inv.get("total") not in (None, ""):
        body.append(("MOA", ("77", common.fmt_decimal(inv["total"]))))
    if inv.get("tax_total") not in (None, ""):
        body.append(("MOA", ("124", common.fmt_decimal(inv["tax_total"]))))
    for charge in inv.get("charges") or []:
        if charge.get("type") == "tax":
            continue
        amount = common.to_decimal(charge.get("amount")) or Decimal(0)
        code = {"freight": "FC", "discount": "DI"}.get(charge.get("type"), "ZZZ")
        body.append(("ALC", "A" if amount < 0 else "C", "", "", "", code))
        body.append(("MOA", ("8", common.fmt_decimal(abs(amount)))))
    return body


# CONTRL: UCI/UCF/UCM/UCS/UCD
# 0085 syntax error codes: 13 missing, 14 value not supported in this position, 18 unspecified,
# 28 references do not match, 29 control count does not match, 33 invalid occurrence outside message
UCM_ERROR = {
    "count_mismatch": "29",
    "control_mismatch": "28",
    "truncated": "13",
    "bad_segment": "14",
    "segment_outside_set": "33",
    "segment_outside_group": "33",
}
UCI_ERROR = dict(UCM_ERROR, syntax_error="18", bad_separator="20", refused="18")


def contrl_body(ic, env):
    """One CONTRL for the received interchange; our identifiers are env's (swapped by caller)."""
    inter_errors = [p for p in ic.problems if p.severity == "error"]
    accepted_all = True
    groups = []
    for group in ic.groups:
        msgs = []
        for tset in group.sets:
            errors = [p for p in tset.problems if p.severity == "error"]
            status = "4" if errors or group.problems or inter_errors else "7"
            if status == "4":
                accepted_all = False
            seg_errors = []
            for p in errors:
                if p.segment_position and p.segment_tag not in ("UNT",):
                    seg_errors.append(("UCS", str(p.segment_position), UCM_ERROR.get(p.code, "18")))
                    if p.element_position:
                        seg_errors.append(("UCD", UCM_ERROR.get(p.code, "12"), (str(p.element_position),)))
            ucm_code = ""
            unt_errors = [p for p in errors if p.segment_tag == "UNT" or not p.segment_position]
            if unt_errors:
                ucm_code = UCM_ERROR.get(unt_errors[0].code, "18")
            msgs.append(
                (
                    (
                        "UCM",
                        tset.control_number,
                        (tset.set_id, tset.version[:1], tset.version[1:], "UN"),
                        status,
                        ucm_code,
                    ),
                    seg_errors,
                )
            )
        groups.append((group, msgs))
    status = "7" if accepted_all and not inter_errors else "4"
    inter_code = UCI_ERROR.get(inter_errors[0].code, "18") if inter_errors else ""
    body = [
        (
            "UCI",
            ic.control_number,
            (ic.sender_id, ic.sender_qualifier),
            (ic.receiver_id, ic.receiver_qualifier),
            status,
            inter_code,
        )
    ]
    for group, msgs in groups:
        if group.functional_id:
            gstatus = "4" if group.problems or any(m[0][3] == "4" for m in msgs) else "7"
            gcode = UCM_ERROR.get(group.problems[0].code, "18") if group.problems else ""
            body.append(("UCF", group.control_number, (group.sender_app, ""), (group.receiver_app, ""), gstatus, gcode))
        for ucm, seg_errors in msgs:
            body.append(ucm)
            body.extend(seg_errors)
    return body
