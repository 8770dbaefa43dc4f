"""Writing documents: purchase orders, changes and functional acknowledgments."""

from dataclasses import dataclass, field
from datetime import datetime

from .errors import EdiError

__all__ = ["EdiError", "Envelope", "render_functional_ack", "render_order", "render_order_change"]

VERSIONS = ("x12_4010", "x12_5010", "edifact_d96a", "edifact_d01b", "cxml", "ubl", "json")


@dataclass
class Envelope:
    sender_id: str
    sender_qualifier: str
    receiver_id: str
    receiver_qualifier: str
    interchange_control_number: int
    group_control_number: int
    set_control_numbers: list = field(default_factory=list)
    test: bool = False
    sender_app: str | None = None
    receiver_app: str | None = None
    version: str = "x12_4010"
    when: datetime | None = None


def render_order(fmt: str, po: dict, env: Envelope, *, shared_secret: str | None = None) -> bytes:
    raise NotImplementedError


def render_order_change(fmt: str, po: dict, env: Envelope, *, kind: str = "change", shared_secret: str | None = None) -> bytes:
    raise NotImplementedError


def render_functional_ack(ic, env: Envelope, *, x12_kind: str = "997") -> bytes:
    raise NotImplementedError
