"""Handing a key to a sender: the dialog with the key, the URL and a curl example (Chromium)."""

from odoo.tests import HttpCase, new_test_user, tagged

from ..lib import signature


@tagged("post_install", "-at_install")
class TestCredentialDialog(HttpCase):
    def test_integration_admin_creates_an_endpoint_and_copies_key_and_curl(self):
        new_test_user(
            self.env,
            "hc_tour_integration_admin",
            password="hc_tour_integration_admin",
            groups="base.group_user,healthcare_integration_base.group_hc_manager",
        )
        for name in ("web.assets_web", "web.assets_tests"):  # built before the browser asks (slow machines)
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
            bundle.css()
        self.start_tour(
            "/odoo/action-healthcare_integration_base.action_hc_endpoint",
            "hc_endpoint_credential",
            login="hc_tour_integration_admin",
            timeout=300,
        )
        endpoint = self.env["hc.endpoint"].search([("code", "=", "pharmacy-carousel")])
        self.assertEqual(endpoint.auth_method, "api_key")
        self.assertTrue(endpoint.credential_hint)

    def test_the_instructions_carry_the_full_url_and_a_working_example(self):
        endpoint = self.env["hc.endpoint"].create({"name": "Carousel", "code": "carousel-2", "auth_method": "api_key"})
        params = endpoint._hc_credential_instructions("k3y")
        base = endpoint.get_base_url().rstrip("/")
        self.assertEqual(params["url"], f"{base}/hc/v1/endpoints/carousel-2/messages")
        self.assertIn("Authorization: Bearer k3y", params["curl"])
        self.assertIn(params["url"], params["curl"])
        self.assertFalse(params["snippet"])
        endpoint.auth_method = "signature"
        secret = signature.generate_secret()
        params = endpoint._hc_credential_instructions(secret)
        self.assertIn(f'SECRET = "{secret}"', params["snippet"])
        self.assertIn("Webhook(SECRET).sign(msg_id, now, body)", params["snippet"])
        self.assertNotIn(secret, params["curl"], "a signed request needs a fresh signature, not the secret")
