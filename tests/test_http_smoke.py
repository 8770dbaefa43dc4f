"""The started server answers real HTTP: login page, health and the published OpenAPI."""

import requests


def test_login_page_and_health(odoo_server):
    login = requests.get(f"{odoo_server.url}/web/login", timeout=30)
    assert login.status_code == 200
    assert "password" in login.text.lower()
    health = requests.get(f"{odoo_server.url}/hc/v1/health", timeout=30)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert health.headers["X-Correlation-ID"]


def test_suite_modules_installed(odoo_server):
    names = {
        "healthcare_integration_base",
        "healthcare_audit",
        "healthcare_inventory_sync",
        "healthcare_procurement_edi",
        "healthcare_integration_demo",
    }
    mods = odoo_server.rpc("ir.module.module", "search_read", [["name", "in", sorted(names)]], fields=["name", "state"])
    assert {m["name"]: m["state"] for m in mods} == dict.fromkeys(names, "installed")
