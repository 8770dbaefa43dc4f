"""Reading any supported interchange: sniff the syntax, read it tolerantly, validate envelopes.

``read`` raises :class:`EdiError` only when the bytes cannot be read at all; envelope findings
(counts, control numbers, ISA widths) are :class:`Problem` entries on the interchange, group or
set, and ``Interchange.ok`` is True when there is none.
"""

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
    raise NotImplementedError


def read(data: bytes, syntax: str | None = None) -> Interchange:
    raise NotImplementedError


def read_functional_ack(ic: Interchange) -> list:
    raise NotImplementedError
