from . import test_audit_trail, test_hash_versions, test_rules, test_tamper
