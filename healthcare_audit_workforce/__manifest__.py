{
    "name": "Healthcare Audit Trail for Workforce and Requisitions",
    "summary": "Glue: the audit trail records HR master data, purchasing rights and requisition decisions",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_audit", "healthcare_workforce"],
    "data": ["data/hc_audit_rule_data.xml"],
    "installable": True,
    "auto_install": True,
}
