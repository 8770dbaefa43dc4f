{
    "name": "Healthcare Recall and Diversion Signals",
    "summary": "Recall cases: trace a lot end to end, quarantine it everywhere in one action; "
    "consumption and API anomaly signals",
    "version": "18.0.1.1.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_inventory_sync"],
    "external_dependencies": {"python": []},
    "data": [
        "security/ir.model.access.csv",
        "security/hc_recall_rules.xml",
        "data/hc_recall_data.xml",
        "report/hc_recall_report.xml",
        "views/hc_recall_views.xml",
        "views/hc_anomaly_views.xml",
        "views/hc_recall_menus.xml",
    ],
    "installable": True,
}
