{
    "name": "Healthcare Procurement EDI",
    "summary": "Trading partners and EDI formats: purchase orders out; acknowledgments, ship notices, invoices in",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_inventory_sync", "purchase_stock"],
    "external_dependencies": {"python": ["pydifact", "lxml"]},
    "data": [
        "security/ir.model.access.csv",
        "views/hc_procurement_menus.xml",
    ],
    "installable": True,
}
