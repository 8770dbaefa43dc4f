from . import hc_audit_evidence
