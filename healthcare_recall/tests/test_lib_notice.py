"""The recall notice's schema and normalisation (plain Python, no ORM)."""

import unittest

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.healthcare_recall.lib.notice import NoticeError, normalise_notice, validate_notice

VALID = {
    "id": "RCL-1",
    "type": "recall.notice",
    "schema_version": "1.0",
    "issued_at": "2026-11-24T10:00:00+01:00",
    "source": {"system": "acme", "authority": "ACME Pharma"},
    "item": {"gtin": "5012345678900"},
    "lots": ["L1", " L2 ", "L1"],
    "serials": ["SN-9"],
    "reason": " Particles ",
    "classification": "I",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


class TestNotice(unittest.TestCase):
    def test_valid_notice_is_normalised(self):
        notice = normalise_notice(VALID)
        self.assertEqual(notice.gtin, "05012345678900")
        self.assertEqual(notice.lots, ["L1", "L2", "SN-9"])
        self.assertEqual(notice.reason, "Particles")
        self.assertEqual(notice.authority, "ACME Pharma")
        self.assertEqual(notice.issued_at.isoformat(), "2026-11-24T09:00:00")

    def test_wrong_check_digit_is_named(self):
        with self.assertRaises(NoticeError) as caught:
            normalise_notice({**VALID, "item": {"gtin": "5012345678901"}})
        self.assertEqual(caught.exception.code, "gtin_check_digit")

    def test_violations_name_the_field_not_the_value(self):
        violations = validate_notice({**VALID, "lots": [], "serials": [], "reason": "", "item": {}})
        self.assertTrue(violations)
        self.assertFalse(any("Particles" in v for v in violations))
        self.assertFalse(validate_notice(VALID))

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.sampled_from([*VALID, "x"]), json_values, max_size=8))
    def test_anything_else_is_a_notice_error(self, body):
        try:
            normalise_notice({**body, "type": "recall.notice"})
        except NoticeError:
            pass
