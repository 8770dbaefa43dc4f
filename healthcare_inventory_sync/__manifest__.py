{
    "name": "Healthcare Inventory Sync",
    "summary": "Canonical and FHIR inventory events into Odoo stock, with lot, serial and expiry validation",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_integration_base", "stock", "product_expiry"],
    "external_dependencies": {"python": ["biip"]},
    "data": [
        "security/ir.model.access.csv",
        "security/hc_inventory_rules.xml",
        "data/hc_inventory_data.xml",
        "data/hc_message_type_data.xml",
        "views/hc_inventory_views.xml",
        "views/hc_event_display_views.xml",
        "views/hc_inventory_menus.xml",
        "report/hc_reconciliation_report.xml",
        "report/hc_expiry_risk_report.xml",
        "report/hc_event_accounting_report.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "healthcare_inventory_sync/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
