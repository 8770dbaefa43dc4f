"""ANSI X12: tokenizer with separators from the ISA, envelope validation, writer.

Reading is tolerant (UTF-8 BOM, whitespace and indentation between segments, LF/CRLF as the
terminator or after it, a missing final terminator, an ISA not padded to fixed width); what a
strict reader would refuse is reported as a :class:`Problem`. Writing is strict: fixed-width
ISA, correct counts, data that contains a separator is refused with :class:`EdiError`.
"""

import re

from . import common
from .envelope import Nesting
from .errors import EdiError
from .model import Group, Interchange, Problem, Separators, Set

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
TAG_RE = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
LINE_START_RE = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
MAX_ISA_SEARCH = 400


def decode(data):
    if isinstance(data, str):
        text = data
    else:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise EdiError("not_an_interchange", "The document is not bytes or text.")
        text = common.to_text(data)
    return text.lstrip("\ufeff").lstrip()


def _separators(text):
    """Separators declared by the ISA and the index where the first segment after it starts."""
    if not text.startswith("ISA"):
        raise EdiError("not_an_interchange", "An X12 interchange starts with an ISA segment.")
    if len(text) < 4:
        raise EdiError("truncated", "The ISA segment is incomplete.", "ISA", 1)
    elem = text[3]
    if elem.isalnum() or elem.isspace():
        raise EdiError("bad_separator", "The element separator (ISA position 4) is a letter, digit or space.", "ISA", 1)
    count = 0
    idx16 = None
    for i in range(3, min(len(text), MAX_ISA_SEARCH)):
        if text[i] == elem:
            count += 1
            if count == 16:
                idx16 = i
                break
    if idx16 is None:
        raise EdiError("isa_incomplete", "The ISA segment does not have its 16 elements.", "ISA", 1)
    if idx16 + 1 >= len(text):
        raise EdiError("isa_incomplete", "The ISA segment ends before its component separator (ISA16).", "ISA", 1, 16)
    component = text[idx16 + 1]
    if idx16 + 2 >= len(text):
        raise EdiError("truncated", "The interchange ends after the ISA segment.", "ISA", 1)
    terminator = text[idx16 + 2]
    start = idx16 + 3
    if terminator == " ":
        # "…*> \r\n": trailing spaces before the line break; the line break ends the segments
        rest = text[idx16 + 2 : idx16 + 40].lstrip(" ")
        if rest[:1] in ("\r", "\n"):
            terminator = "\n"
    if component.isalnum() or component == elem or component in "\r\n":
        raise EdiError("bad_separator", "The component separator (ISA16) is not usable.", "ISA", 1, 16)
    if terminator.isalnum() or terminator in (elem, component) or terminator == " ":
        raise EdiError("bad_separator", "The segment terminator after ISA16 is not usable.", "ISA", 1)
    isa_elements = text[: idx16 + 2].split(elem)
    repetition = None
    version = isa_elements[12].strip() if len(isa_elements) > 12 else ""
    rep = isa_elements[11] if len(isa_elements) > 11 else ""
    if version >= "00402" and len(rep) == 1 and not rep.isalnum() and rep not in (elem, component, terminator, " "):
        repetition = rep
    seps = Separators(element=elem, component=component, repetition=repetition, segment=terminator)
    return seps, isa_elements, start


def _split_segments(text, start, seps):
    """Raw segment strings after the ISA (whitespace-tolerant)."""
    body = text[start:]
    term = seps.segment
    if term in "\r\n":
        pieces = re.split(r"[\r\n]+", body)
        return [p.strip() for p in pieces if p.strip()]
    out = []
    for raw_piece in body.split(term):
        piece = raw_piece.strip()
        if not piece:
            continue
        if "\n" in piece or "\r" in piece:
            # a line break ending a segment whose terminator is missing
            lines = [line.strip() for line in re.split(r"[\r\n]+", piece) if line.strip()]
            merged = []
            for line in lines:
                tag = line.split(seps.element, 1)[0]
                if merged and not LINE_START_RE.match(tag):
                    merged[-1] += line
                else:
                    merged.append(line)
            out.extend(merged)
        else:
            out.append(piece)
    return out


def tokenize(data):
    """``(segments, separators, isa_problems)``; segments are lists of element strings."""
    text = decode(data)
    seps, isa_elements, start = _separators(text)
    if seps.segment not in "\r\n":
        unwrapped = common.unwrap(text, seps.segment)
        if unwrapped is not text:
            text = unwrapped
            seps, isa_elements, start = _separators(text)
    problems = []
    isa = [e for e in isa_elements[:16]]
    isa_stripped = ["ISA"] + [e.strip() for e in isa[1:16]] + [seps.component]
    widths = [len(e) for e in isa[1:16]]
    # ISA06/ISA08 padded to another width are tolerated silently (common, harmless: ids are
    # trimmed); any other ISA field of the wrong width is flagged.
    bad = [
        i
        for i, (w, want) in enumerate(zip(widths, ISA_WIDTHS, strict=False), 1)
        if w != want and not (i in (6, 8) and 0 < w <= 15)
    ]
    if bad:
        problems.append(
            Problem(
                "isa_not_fixed_width",
                "The ISA segment is not fixed width (every element padded to its size).",
                "ISA",
                1,
                bad[0],
                "interchange",
                "warning",
            )
        )
    segments = [isa_stripped]
    for raw in _split_segments(text, start, seps):
        elements = raw.split(seps.element)
        elements[0] = elements[0].strip()
        segments.append(elements)
    return segments, seps, problems


def components(value, seps):
    return value.split(seps.component) if value else [""]


def _get(seg, i):
    return seg[i].strip() if len(seg) > i else ""


def parse(data, mapper=None):
    """Read an X12 interchange into :class:`Interchange` with envelope problems filled in."""
    segments, seps, problems = tokenize(data)
    isa = segments[0]
    ic = Interchange(
        syntax="x12",
        version=_get(isa, 12),
        sender_id=_get(isa, 6),
        sender_qualifier=_get(isa, 5),
        receiver_id=_get(isa, 8),
        receiver_qualifier=_get(isa, 7),
        control_number=_get(isa, 13),
        date=_isa_date(_get(isa, 9)),
        test=_get(isa, 15) == "T",
        separators=seps,
        problems=problems,
    )
    nest = Nesting(
        problems,
        _close_set,
        _close_group,
        "An SE segment without its ST.",
        "A GE segment without its GS.",
        "Segments follow the IEA segment.",
    )
    for pos, seg in enumerate(segments[1:], start=2):
        tag = seg[0]
        tset = nest.set
        if tset is not None and tag not in ("SE", "GE", "IEA", "ST", "GS"):
            if not TAG_RE.match(tag):
                tset.problems.append(
                    Problem(
                        "bad_segment",
                        "A segment tag is not 2-3 letters or digits.",
                        re.sub(r"[^A-Z0-9]", "", tag.upper())[:3] or "???",
                        len(tset.segments) + 1,
                        None,
                        "set",
                    )
                )
            tset.segments.append(seg)
            continue
        if not TAG_RE.match(tag):
            problems.append(
                Problem("bad_segment", "A segment tag is not 2-3 letters or digits.", None, pos, None, "interchange")
            )
            continue
        if tag == "GS":
            nest.drop_group(pos)
            nest.group = Group(
                functional_id=_get(seg, 1),
                control_number=_get(seg, 6),
                sender_app=_get(seg, 2),
                receiver_app=_get(seg, 3),
                version=_get(seg, 8),
                position=pos,
            )
            ic.groups.append(nest.group)
        elif tag == "ST":
            nest.drop_set()
            if nest.group is None:
                problems.append(
                    Problem(
                        "segment_outside_group",
                        "A transaction set starts outside a GS/GE group.",
                        "ST",
                        pos,
                        None,
                        "interchange",
                    )
                )
                nest.group = Group(functional_id="", control_number="", position=pos)
                ic.groups.append(nest.group)
            set_id = _get(seg, 1)
            nest.set = Set(
                set_id=set_id,
                control_number=_get(seg, 2),
                message_type=f"x12.{set_id}",
                segments=[seg],
                position=pos,
                version=_get(seg, 3) or nest.group.version,
            )
            nest.group.sets.append(nest.set)
        elif tag == "SE":
            nest.end_set(seg, pos)
        elif tag == "GE":
            nest.end_group(seg, pos)
        elif tag == "IEA":
            nest.end_interchange(seg, pos, len(segments))
            break
        elif tag in ("TA1", "ISB", "ISE"):
            continue  # interchange acknowledgment / optional interchange services: envelope level
        elif tag == "ISA":
            problems.append(
                Problem("unexpected_segment", "A second ISA inside the interchange.", "ISA", pos, None, "interchange")
            )
            break
        else:
            problems.append(
                Problem("segment_outside_set", "A segment outside any transaction set.", tag, pos, None, "interchange")
            )
    nest.drop_set()
    nest.drop_group(len(segments) + 1)
    iea = nest.trailer
    if iea is None:
        problems.append(
            Problem("truncated", "The interchange has no IEA trailer (truncated).", "IEA", None, None, "interchange")
        )
    else:
        seg, pos = iea
        if _get(seg, 1) != str(len(ic.groups)):
            problems.append(
                Problem(
                    "count_mismatch",
                    "IEA01 does not match the number of functional groups.",
                    "IEA",
                    pos,
                    1,
                    "interchange",
                )
            )
        if _get(seg, 2) != ic.control_number:
            problems.append(Problem("control_mismatch", "IEA02 does not match ISA13.", "IEA", pos, 2, "interchange"))
    if mapper is not None:
        for group in ic.groups:
            for tset in group.sets:
                tset.document = mapper(tset, seps)
    return ic


def _isa_date(value):
    if len(value) == 6 and value.isdigit():
        return f"20{value[0:2]}-{value[2:4]}-{value[4:6]}"
    return None


def _close_set(tset, se):
    if se is None:
        tset.problems.append(Problem("truncated", "The transaction set has no SE trailer.", "SE", None, None, "set"))
        return
    count = len(tset.segments)
    if _get(se, 1) != str(count):
        tset.problems.append(
            Problem("count_mismatch", "SE01 does not match the number of segments in the set.", "SE", count, 1, "set")
        )
    if _get(se, 2) != tset.control_number:
        tset.problems.append(Problem("control_mismatch", "SE02 does not match ST02.", "SE", count, 2, "set"))


def _close_group(group, ge, pos):
    if ge is None:
        group.problems.append(
            Problem("truncated", "The functional group has no GE trailer.", "GE", None, None, "group")
        )
        return
    if _get(ge, 1) != str(len(group.sets)):
        group.problems.append(
            Problem("count_mismatch", "GE01 does not match the number of transaction sets.", "GE", pos, 1, "group")
        )
    if _get(ge, 2) != group.control_number:
        group.problems.append(Problem("control_mismatch", "GE02 does not match GS06.", "GE", pos, 2, "group"))


# --------------------------------------------------------------------------- writing

WRITE_SEPARATORS = Separators(element="*", component=">", repetition="^", segment="~")

VERSIONS = {
    "x12_4010": ("00401", "004010", "U"),
    "x12_5010": ("00501", "005010", "^"),
}


class Writer:
    """Collects segments of one interchange and serialises them with checked separators."""

    def __init__(self, seps=WRITE_SEPARATORS, newline="\n"):
        self.seps = seps
        self.newline = newline
        self.forbidden = {seps.element, seps.component, seps.segment}
        if seps.repetition:
            self.forbidden.add(seps.repetition)

    def element(self, value, tag, pos):
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return self.seps.component.join(self.element(v, tag, pos) for v in value)
        text = str(value)
        if any(ch in text for ch in self.forbidden) or "\r" in text or "\n" in text:
            raise EdiError(
                "separator_in_data",
                "A value contains an X12 separator or a line break and cannot be written.",
                tag,
                None,
                pos,
            )
        return text

    def segment(self, tag, *elements):
        values = [self.element(v, tag, i) for i, v in enumerate(elements, 1)]
        while values and values[-1] == "":
            values.pop()
        return self.seps.element.join([tag, *values]) + self.seps.segment + self.newline


def isa_field(value, width, tag_pos, numeric=False):
    text = "" if value is None else str(value)
    if numeric:
        if not text.isdigit() or len(text) > width:
            raise EdiError(
                "field_too_long", "A control number does not fit its fixed-width ISA field.", "ISA", 1, tag_pos
            )
        return text.zfill(width)
    if len(text) > width:
        raise EdiError("field_too_long", "A value does not fit its fixed-width ISA field.", "ISA", 1, tag_pos)
    return text.ljust(width)


def render_interchange(env, groups):
    """``groups``: list of ``(functional_id, [(set_id, [segment tuples without ST/SE]), ...])``.

    Writes ISA/GS/ST.../SE/GE/IEA with fixed-width ISA fields and correct counts; set control
    numbers come from ``env.set_control_numbers`` in order (or count up from 1), group numbers
    from ``env.group_control_number`` upwards.
    """
    if env.version not in VERSIONS:
        raise EdiError("unsupported_version", "The X12 version is not supported.")
    isa_version, gs_version, isa11 = VERSIONS[env.version]
    seps = WRITE_SEPARATORS
    w = Writer(seps)
    when = env.when
    for value, pos in (
        (env.sender_id, 6),
        (env.receiver_id, 8),
        (env.sender_qualifier, 5),
        (env.receiver_qualifier, 7),
    ):
        w.element(value, "ISA", pos)
    isa = seps.element.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            isa_field(env.sender_qualifier or "ZZ", 2, 5),
            isa_field(env.sender_id, 15, 6),
            isa_field(env.receiver_qualifier or "ZZ", 2, 7),
            isa_field(env.receiver_id, 15, 8),
            when.strftime("%y%m%d"),
            when.strftime("%H%M"),
            isa11,
            isa_version,
            isa_field(env.interchange_control_number, 9, 13, numeric=True),
            "0",
            "T" if env.test else "P",
            seps.component,
        ]
    )
    out = [isa + seps.segment + w.newline]
    set_numbers = list(env.set_control_numbers or [])
    set_index = 0
    group_number = int(env.group_control_number)
    for functional_id, sets in groups:
        gcn = str(group_number)
        out.append(
            w.segment(
                "GS",
                functional_id,
                env.sender_app or env.sender_id,
                env.receiver_app or env.receiver_id,
                when.strftime("%Y%m%d"),
                when.strftime("%H%M"),
                gcn,
                "X",
                gs_version if not sets or not sets[0][2:] else sets[0][2],
            )
        )
        for entry in sets:
            set_id, body = entry[0], entry[1]
            impl = entry[2] if len(entry) > 2 else None
            number = set_numbers[set_index] if set_index < len(set_numbers) else set_index + 1
            set_index += 1
            stcn = str(number).zfill(4)
            st = ("ST", set_id, stcn, impl) if impl else ("ST", set_id, stcn)
            out.append(w.segment(*st))
            for seg in body:
                out.append(w.segment(*seg))
            out.append(w.segment("SE", str(len(body) + 2), stcn))
        out.append(w.segment("GE", str(len(sets)), gcn))
        group_number += 1
    out.append(w.segment("IEA", str(len(groups)), isa_field(env.interchange_control_number, 9, 13, numeric=True)))
    return "".join(out).encode("utf-8")
