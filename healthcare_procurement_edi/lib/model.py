"""Dataclasses shared by the readers and writers (no behaviour beyond small helpers)."""

from dataclasses import dataclass, field
from typing import Any

LEVELS = ("interchange", "group", "set")


@dataclass
class Problem:
    """One envelope or syntax finding; the document could still be read."""

    code: str
    message: str
    segment_tag: str | None = None
    segment_position: int | None = None
    element_position: int | None = None
    level: str = "set"
    # "error": the envelope is wrong (a 997/CONTRL rejects); "warning": read and accepted
    # with errors noted (e.g. an ISA not padded to fixed width)
    severity: str = "error"


@dataclass
class Separators:
    element: str = "*"
    component: str = ":"
    repetition: str | None = None
    segment: str = "~"
    release: str | None = None
    decimal: str = "."


@dataclass
class Set:
    """One transaction set / message / XML document."""

    set_id: str
    control_number: str
    message_type: str
    segments: Any = field(default_factory=list)
    problems: list = field(default_factory=list)
    document: dict | None = None
    # 1-based position of the ST/UNH segment within the interchange (X12/EDIFACT)
    position: int | None = None
    version: str = ""


@dataclass
class Group:
    functional_id: str
    control_number: str
    sender_app: str = ""
    receiver_app: str = ""
    version: str = ""
    sets: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    position: int | None = None


@dataclass
class Interchange:
    syntax: str
    version: str
    sender_id: str
    sender_qualifier: str
    receiver_id: str
    receiver_qualifier: str
    control_number: str
    date: str | None = None
    test: bool = False
    groups: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    separators: Separators | None = None
    # cXML only: {"sender_identity", "shared_secret"} from Header/Sender (never logged: repr off)
    auth: dict | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self):
        return not self.all_problems()

    def all_problems(self):
        found = list(self.problems)
        for group in self.groups:
            found.extend(group.problems)
            for tset in group.sets:
                found.extend(tset.problems)
        return found

    @property
    def acceptable(self):
        """True when no problem is an error (warnings only): the content may be processed."""
        return all(p.severity != "error" for p in self.all_problems())

    @property
    def sets(self):
        return [tset for group in self.groups for tset in group.sets]


@dataclass
class SetAck:
    set_id: str
    control_number: str
    status: str
    errors: list = field(default_factory=list)


@dataclass
class FunctionalAck:
    functional_id: str
    group_control_number: str
    status: str
    set_acks: list = field(default_factory=list)
    interchange_control_number: str = ""
