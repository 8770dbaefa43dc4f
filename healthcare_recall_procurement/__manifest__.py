{
    "name": "Healthcare Recall: Procurement Origin",
    "summary": "Glue: a recall trace names the supplier, purchase order, ship notice and receipt each lot came in with",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_recall", "healthcare_procurement_edi"],
    "external_dependencies": {"python": []},
    "data": ["views/hc_recall_trace_templates.xml"],
    "installable": True,
    "auto_install": True,
}
