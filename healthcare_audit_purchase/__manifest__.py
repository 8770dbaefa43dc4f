{
    "name": "Healthcare Audit Trail for Purchase",
    "summary": "Glue: the audit trail records purchase orders, their lines and invoice posting",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_audit", "purchase"],
    "data": ["data/hc_audit_rule_data.xml", "views/hc_audit_evidence_bindings.xml"],
    "installable": True,
    "auto_install": True,
}
