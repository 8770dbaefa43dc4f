from . import hc_audit_event, hc_audit_event_display, hc_audit_evidence, hc_audit_rule, hc_audit_seal, hc_integration
