{
    "name": "Healthcare Integration Demo Data",
    "summary": "Demo hospital, facilities, barcoded locations, lot-tracked medical products and stock",
    "version": "18.0.1.0.1",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["stock", "product_expiry", "purchase_stock", "healthcare_inventory_sync", "healthcare_requisition"],
    # The whole addon is demo data: it is loaded as data so that it also installs into
    # databases created without demo data (--without-demo=all).
    "data": [
        "data/res_company_data.xml",
        "data/stock_warehouse_data.xml",
        "data/uom_data.xml",
        "data/product_data.xml",
        "data/res_partner_data.xml",
        "data/stock_lot_data.xml",
        "data/stock_quant_data.xml",
        "data/hc_team_data.xml",
        "data/hc_requisition_data.xml",
    ],
    "installable": True,
    "application": False,
}
