from . import (
    test_audit_trail,
    test_evidence_binding,
    test_hash_versions,
    test_readable_changes,
    test_rules,
    test_tamper,
)
