"""What an integration admin hands to a sender with a new credential: the key, the full
webhook URL, a curl example that works as is, and how to sign (Standard Webhooks)."""

import json
import shlex

from odoo import _, models


class HcEndpoint(models.Model):
    _inherit = "hc.endpoint"

    def _hc_webhook_url(self):
        self.ensure_one()
        return f"{self.get_base_url().rstrip('/')}/hc/v1/endpoints/{self.code}/messages"

    def _hc_credential_instructions(self, plain):
        """The parameters of the credential dialog (``hc_credential_dialog`` client action)."""
        self.ensure_one()
        url = self._hc_webhook_url()
        body = json.dumps({"id": "ping-0001"})
        signed = self.auth_method == "signature"
        if signed:
            curl = "\n".join(
                [
                    "# signed endpoints need a fresh signature per request: see the snippet below",
                    f"curl -s -X POST {shlex.quote(url)} \\",
                    '  -H "Content-Type: application/json" -H "X-HC-Message-Type: hc.ping" \\',
                    '  -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: $SIG" \\',
                    f"  -d {shlex.quote(body)}",
                ]
            )
            snippet = "\n".join(
                [
                    "# pip install standardwebhooks requests",
                    "import json, uuid",
                    "from datetime import datetime, timezone",
                    "",
                    "import requests",
                    "from standardwebhooks.webhooks import Webhook",
                    "",
                    f'SECRET = "{plain}"',
                    f'URL = "{url}"',
                    "",
                    "def post(document, message_type=None):",
                    "    body = json.dumps(document)",
                    "    msg_id, now = str(uuid.uuid4()), datetime.now(timezone.utc)",
                    "    headers = {",
                    '        "Content-Type": "application/json",',
                    '        "webhook-id": msg_id,',
                    '        "webhook-timestamp": str(int(now.timestamp())),',
                    '        "webhook-signature": Webhook(SECRET).sign(msg_id, now, body),',
                    "    }",
                    "    if message_type:",
                    '        headers["X-HC-Message-Type"] = message_type',
                    "    return requests.post(URL, data=body, headers=headers, timeout=30)",
                    "",
                    'print(post({"id": "ping-0001"}, "hc.ping").json())',
                ]
            )
        else:
            curl = "\n".join(
                [
                    f"curl -s -X POST {shlex.quote(url)} \\",
                    f'  -H "Authorization: Bearer {plain}" \\',
                    '  -H "Content-Type: application/json" -H "X-HC-Message-Type: hc.ping" \\',
                    f"  -d {shlex.quote(body)}",
                ]
            )
            snippet = False
        return {
            "title": _("New credential for %s", self.name),
            "endpoint_code": self.code,
            "auth_method": self.auth_method,
            "credential": plain,
            "credential_label": _("Signing secret") if signed else _("API key"),
            "url": url,
            "curl": curl,
            "snippet": snippet,
            "snippet_label": _("Sign and post with the Standard Webhooks library (Python)") if signed else False,
        }
