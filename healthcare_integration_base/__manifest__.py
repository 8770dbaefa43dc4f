{
    "name": "Healthcare Integration Base",
    "summary": "Signed webhooks, durable inbound queue, idempotency ledger, retries, "
    "exceptions, outbound deliveries and monitoring for healthcare integrations",
    "version": "18.0.1.0.0",
    "category": "Healthcare/Integration",
    "license": "LGPL-3",
    "author": "Healthcare Integration Suite",
    "website": "https://github.com/healthcare-integration-suite/odoo-healthcare-integration",
    "depends": ["base", "mail"],
    "external_dependencies": {
        "python": ["cryptography", "jsonschema", "fastjsonschema", "standardwebhooks", "requests", "lxml", "pydifact"],
    },
    "data": [
        "security/hc_security.xml",
        "security/ir.model.access.csv",
        "security/hc_record_rules.xml",
        "data/hc_cron.xml",
        "data/hc_mail_activity_type.xml",
        "data/hc_message_type_data.xml",
        "views/hc_endpoint_views.xml",
        "views/hc_inbound_message_views.xml",
        "views/hc_idempotency_key_views.xml",
        "views/hc_exception_views.xml",
        "views/hc_outbound_message_views.xml",
        "views/hc_endpoint_stat_views.xml",
        "views/res_config_settings_views.xml",
        "views/hc_menus.xml",
        "views/hc_message_type_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "healthcare_integration_base/static/src/**/*",
        ],
        "web.assets_tests": [
            "healthcare_integration_base/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": True,
}
