from . import test_auditor_access
