"""Reading any supported interchange: sniff the syntax, read it tolerantly, validate envelopes.

``read`` raises :class:`EdiError` only when the bytes cannot be read at all; envelope findings
(counts, control numbers, ISA widths) are :class:`Problem` entries on the interchange, group or
set, and ``Interchange.ok`` is True when there is none.
"""

from . import edifact, jsondoc, x12, x12_docs, xmldoc
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
