{
    "name": "Healthcare Workforce Sync",
    "summary": "Employees, departments and cost centres from the HR system; roles give purchasing rights",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["healthcare_integration_base", "hr", "analytic", "purchase"],
    "external_dependencies": {"python": []},
    "data": [
        "security/hc_workforce_security.xml",
        "security/ir.model.access.csv",
        "data/hc_workforce_data.xml",
        "data/hc_message_type_data.xml",
        "views/hc_workforce_views.xml",
    ],
    "installable": True,
}
