"""Reading any supported interchange: sniff the syntax, read it tolerantly, validate envelopes.

``read`` raises :class:`EdiError` only when the bytes cannot be read at all; envelope findings
(counts, control numbers, ISA widths) are :class:`Problem` entries on the interchange, group or
set, and ``Interchange.ok`` is True when there is none.
"""

import re

from . import common, edifact, jsondoc, x12, x12_docs, xmldoc
from .errors import EdiError
from .model import FunctionalAck, Group, Interchange, Problem, Separators, Set, SetAck

__all__ = [
    "EdiError",
    "FunctionalAck",
    "Group",
    "Interchange",
    "Problem",
    "Separators",
    "Set",
    "SetAck",
    "read",
    "read_envelope",
    "read_functional_ack",
    "sniff",
]

SYNTAXES = ("x12", "edifact", "cxml", "ubl", "json")


def sniff(data: bytes, content_type: str | None = None) -> str:
    """The syntax of ``data``: x12, edifact, cxml, ubl or json (EdiError when none)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EdiError("not_an_interchange", "The document is not bytes.")
    head = bytes(data[:4096]).lstrip(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in head[:8]:
        head = common.to_text(bytes(data[:8192])).lstrip().encode("utf-8", "replace")
    if head.startswith(b"ISA"):
        return "x12"
    if head.startswith(b"UNA") or head.startswith(b"UNB"):
        return "edifact"
    if head.startswith(b"{") or head.startswith(b"["):
        return "json"
    if head.startswith(b"<"):
        return xmldoc.sniff_xml(bytes(data))
    ctype = (content_type or "").split(";")[0].strip().lower()
    raise EdiError(
        "not_an_interchange",
        "The document is not an X12, EDIFACT, cXML, UBL or JSON document"
        + (f" (declared as {ctype})." if ctype else "."),
    )


def read(data: bytes, syntax: str | None = None) -> Interchange:
    """Read an interchange tolerantly; problems found by envelope validation are recorded."""
    syntax = syntax or sniff(data)
    try:
        if syntax == "x12":
            return x12.parse(data, mapper=x12_docs.map_set)
        if syntax == "edifact":
            return edifact.parse(data)
        if syntax in ("cxml", "ubl"):
            return xmldoc.parse(data, syntax)
        if syntax == "json":
            return jsondoc.parse(data)
    except EdiError:
        raise
    except RecursionError as err:
        raise EdiError("unreadable", "The document is nested too deeply to be read.") from err
    raise EdiError("not_an_interchange", "Unknown syntax.")


def read_envelope(data: bytes, syntax: str | None = None) -> Interchange | None:
    """Best effort for a rejecting 997/CONTRL: ``read`` when it works; otherwise the ISA (and the
    first GS) or UNB (and the first UNG) read field by field, with the EdiError as an
    interchange problem and no sets. None when not even the envelope header can be read."""
    try:
        return read(data, syntax)
    except EdiError as err:
        error = err
    try:
        text = x12.decode(data)
    except EdiError:
        return None
    problem = Problem(
        error.code, error.message, error.segment_tag, error.segment_position, error.element_position, "interchange"
    )
    if text.startswith("ISA") and len(text) > 4:
        return _x12_envelope(text, problem)
    if text.startswith("UNA") or text.startswith("UNB"):
        return _edifact_envelope(text, problem)
    return None


def _x12_envelope(text, problem):
    elem = text[3]
    parts = text[:400].split(elem)
    if len(parts) < 14:
        return None

    def part(i):
        return parts[i].strip() if len(parts) > i else ""

    ic = Interchange(
        syntax="x12",
        version=part(12),
        sender_id=part(6),
        sender_qualifier=part(5),
        receiver_id=part(8),
        receiver_qualifier=part(7),
        control_number=part(13)[:9],
        test=part(15)[:1] == "T",
        problems=[problem],
    )
    found = re.search(r"[\s~|'!^]GS" + re.escape(elem) + r"([^\r\n]{0,200})", text[:2000])
    if found:
        gs = found.group(1).split(elem)
        control = re.match(r"\d*", gs[5] if len(gs) > 5 else "").group(0)
        version = re.match(r"[0-9A-Z]*", gs[7] if len(gs) > 7 else "").group(0)
        ic.groups.append(
            Group(
                functional_id=gs[0][:2],
                control_number=control,
                sender_app=gs[1] if len(gs) > 1 else "",
                receiver_app=gs[2] if len(gs) > 2 else "",
                version=version,
            )
        )
    return ic


def _edifact_envelope(text, problem):
    comp, elem, term = ":", "+", "'"
    if text.startswith("UNA") and len(text) >= 9:
        comp, elem, term = text[3], text[4], text[8]
        text = text[9:].lstrip()
    if not text.startswith("UNB"):
        return None
    unb = text.split(term, 1)[0].split(elem)
    if len(unb) < 6:
        return None

    def comp_of(i, j=0):
        values = unb[i].split(comp) if len(unb) > i else []
        return values[j].strip() if len(values) > j else ""

    return Interchange(
        syntax="edifact",
        version=":".join(x for x in (comp_of(1), comp_of(1, 1)) if x),
        sender_id=comp_of(2),
        sender_qualifier=comp_of(2, 1),
        receiver_id=comp_of(3),
        receiver_qualifier=comp_of(3, 1),
        control_number=comp_of(5),
        problems=[problem],
    )


def read_functional_ack(ic: Interchange) -> list:
    """The 997/999/CONTRL acknowledgments in ``ic`` as :class:`FunctionalAck` records."""
    out = []
    for tset in ic.sets:
        if ic.syntax == "x12" and tset.set_id in ("997", "999"):
            for ack in x12_docs.read_fa(tset):
                out.append(
                    FunctionalAck(
                        functional_id=ack["functional_id"],
                        group_control_number=ack["group_control_number"],
                        status=ack["status"],
                        set_acks=[SetAck(**s) for s in ack["set_acks"]],
                        interchange_control_number="",
                    )
                )
        elif ic.syntax == "edifact" and tset.set_id == "CONTRL":
            out.extend(edifact.read_contrl(tset))
    return out
