{
    "name": "Healthcare Inventory Sync Valuation",
    "summary": "Glue: stock valuation and journal entries for the moves inventory sync posts in bulk",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_inventory_sync", "stock_account"],
    "installable": True,
    "auto_install": True,
}
