{
    "name": "Healthcare Integration Audit Trail",
    "summary": "Append-only, tamper-evident trail of who changed what, when, why and through which interface",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_integration_base"],
    "external_dependencies": {"python": []},
    "data": [
        "views/hc_audit_menus.xml",
    ],
    "installable": True,
}
