{
    "name": "Healthcare Audit Trail for Procurement EDI",
    "summary": "Glue: one evidence pack per order shows PO out, acknowledgment, ship notice, receipt and bill",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_audit_purchase", "healthcare_audit_inventory", "healthcare_procurement_edi"],
    "data": ["data/hc_audit_rule_data.xml"],
    "installable": True,
    "auto_install": True,
}
