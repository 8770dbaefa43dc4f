{
    "name": "Healthcare Requisitions",
    "summary": "Department requisitions (JSON, FHIR SupplyRequest): budgets, approvals, transfer or purchase",
    "version": "18.0.1.0.1",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_workforce", "healthcare_inventory_sync", "purchase_stock"],
    "external_dependencies": {"python": []},
    "data": [
        "security/ir.model.access.csv",
        "security/hc_requisition_rules.xml",
        "data/hc_requisition_data.xml",
        "data/hc_message_type_data.xml",
        "views/hc_requisition_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "healthcare_requisition/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
