"""Handing a key to a sender: the dialog with the key, the URL and a curl example (Chromium)."""

import json

from odoo.tests import HttpCase, new_test_user, tagged

from ..lib import signature

# Everything the web client asks for while it boots, as (bundle, kinds). This is the first browser
# test of a suite run: whatever is not built yet is built while the browser waits, one request
# at a time (the test cursor serialises them) -- the print stylesheet's SCSS alone took 22 s on a
# loaded machine, and Odoo's ready wait is a fixed 60 s.
BOOT_BUNDLES = (
    ("web.assets_web", ("js", "css")),
    ("web.assets_web_print", ("css",)),
    ("web.assets_tests", ("js",)),
    ("bus.websocket_worker_assets", ("js",)),
)
TOUR = "hc_endpoint_credential"
START = "/odoo/action-healthcare_integration_base.action_hc_endpoint"


@tagged("post_install", "-at_install")
class TestCredentialDialog(HttpCase):
    def _boot_the_server(self, login):
        """Build the boot bundles, then ask, as ``login``, for the two JSON documents the page's
        bootstrap script fetches and parses without looking at the status (menus, translations).
        They must answer JSON: an error page here is the server's answer, reported with its
        status and body, instead of the browser's 'Unexpected token <' at boot. It also does the
        server's first-request work (routing map, menus and translations caches) before the
        browser sends its boot requests all at once."""
        for name, kinds in BOOT_BUNDLES:
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            for kind in kinds:
                getattr(bundle, kind)()
        self.authenticate(login, login)
        # (the path's last part only defeats the browser's cache: any value is served)
        for url in ("/web/webclient/load_menus/boot", "/web/webclient/translations/boot?lang=en_US"):
            resp = self.url_open(url, timeout=300)
            self.assertEqual(resp.status_code, 200, f"{url}: {resp.status_code} {resp.text[:500]}")
            self.assertTrue(resp.headers.get("Content-Type", "").startswith("application/json"), url)
            resp.json()

    def test_integration_admin_creates_an_endpoint_and_copies_key_and_curl(self):
        new_test_user(
            self.env,
            "hc_tour_integration_admin",
            password="hc_tour_integration_admin",
            groups="base.group_user,healthcare_integration_base.group_hc_manager",
        )
        self._boot_the_server("hc_tour_integration_admin")
        # Odoo waits at most 60 s (fixed) for the ready code; the page is ready to run code as
        # soon as its bootstrap script has run: the tour then waits for the web client within the
        # tour's own time budget instead
        options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False, "startUrl": START}
        self.start_tour(
            START,
            TOUR,
            login="hc_tour_integration_admin",
            timeout=300,
            ready="!!(window.odoo && odoo.__session_info__)",
            code=f"""(async () => {{
                while (!odoo.isTourReady) {{
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }}
                await odoo.isTourReady({TOUR!r});
                odoo.startTour({TOUR!r}, {json.dumps(options)});
            }})()""",
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
