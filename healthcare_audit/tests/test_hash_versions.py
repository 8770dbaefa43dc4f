"""The content hash is versioned: a later hashed-column list never breaks verification of old events."""

from unittest.mock import patch

from ..models import tools
from .common import AuditCase


class TestHashVersions(AuditCase):
    def test_old_events_verify_with_their_own_version_after_a_new_one(self):
        self.partner.write({"comment": "hashed with version 1"})
        old = self.events("res.partner", self.partner.id, "write")[-1]
        self.assertEqual(tools.hash_version(old.hash), 1)
        v2 = tuple(reversed(tools.HASH_VERSIONS[1]))  # a later version: another column list
        with (
            patch.dict(tools.HASH_VERSIONS, {2: v2}),
            patch.object(tools, "CURRENT_HASH_VERSION", 2),
        ):
            self.partner.write({"comment": "hashed with version 2"})
            new = self.events("res.partner", self.partner.id, "write")[-1]
            self.assertTrue(new.hash.startswith("$2$"), new.hash)
            self.assertTrue(self.Event.seal_pending())
            result = self.Event.verify_chain()
            self.assertTrue(result["ok"], result)
            self.assertTrue(old.hash_ok and new.hash_ok)
            # a row that claims a version nobody knows does not verify
            row = self.Event._fetch_rows(ids=[new.id])[0]
            self.assertFalse(tools.hash_matches({**row, "hash": "$9$" + row["hash"][3:]}))
            # tampering with a version-2 event's content is still seen
            self.assertFalse(tools.hash_matches({**row, "reason": "forged"}))
