"""The open transaction set (message) and group while an interchange is split into its sets.

What the set, group and interchange trailers do is the same in X12 (SE / GE / IEA) and EDIFACT
(UNT / UNE / UNZ): close what is open, note a trailer without its header and data after the end.
Each syntax passes its own closing functions (which check counts and control numbers) and texts.
"""

from .model import Problem


class Nesting:
    def __init__(self, problems, close_set, close_group, set_orphan_text, group_orphan_text, after_end_text):
        self.problems = problems
        self._close_set = close_set
        self._close_group = close_group
        self._texts = (set_orphan_text, group_orphan_text, after_end_text)
        self.set = None
        self.group = None
        self.trailer = None  # (segment, position) of the interchange trailer

    def drop_set(self):
        """Close the open set without its trailer."""
        if self.set is not None:
            self._close_set(self.set, None)
            self.set = None

    def drop_group(self, pos):
        """Close the open group without its trailer."""
        if self.group is not None:
            self._close_group(self.group, None, pos)
            self.group = None

    def end_set(self, seg, pos):
        """SE / UNT."""
        if self.set is None:
            self.problems.append(Problem("segment_outside_set", self._texts[0], seg[0], pos, None, "interchange"))
            return
        self.set.segments.append(seg)
        self._close_set(self.set, seg)
        self.set = None

    def end_group(self, seg, pos):
        """GE / UNE."""
        self.drop_set()
        if self.group is None:
            self.problems.append(Problem("segment_outside_group", self._texts[1], seg[0], pos, None, "interchange"))
            return
        self._close_group(self.group, seg, pos)
        self.group = None

    def end_interchange(self, seg, pos, count):
        """IEA / UNZ at ``pos`` of ``count`` segments: the caller stops reading."""
        self.drop_set()
        self.drop_group(pos)
        self.trailer = (seg, pos)
        if pos != count:
            tag = seg[0]
            self.problems.append(Problem(f"data_after_{tag.lower()}", self._texts[2], tag, pos, None, "interchange"))
