from . import (
    test_audit_trail,
    test_evidence_binding,
    test_inventory_webhook,
    test_readable_changes,
    test_rules,
    test_tamper,
)
