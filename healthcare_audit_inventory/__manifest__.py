{
    "name": "Healthcare Audit Trail for Inventory Sync",
    "summary": "Glue: the audit trail records stock moves, inventory adjustments, lot quarantine and mappings",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_audit", "healthcare_inventory_sync"],
    "data": ["data/hc_audit_rule_data.xml", "views/hc_audit_evidence_bindings.xml"],
    "assets": {
        "web.assets_tests": [
            "healthcare_audit_inventory/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "auto_install": True,
}
