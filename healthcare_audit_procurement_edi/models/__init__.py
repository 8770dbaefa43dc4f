from . import flow, hc_audit_evidence
