"""Outbound delivery for EDI gateways that poll: a folder, or an SFTP server.

The endpoint's delivery URL says where: ``https://...`` (the signed POST of the base),
``sftp://user@host:port/directory`` (password from the trading partner's encrypted credentials,
the server's host key checked against the fingerprint configured on the partner), or
``file:///directory`` (under the server's EDI outbox root, ``hc_edi_outbox_root`` in the
configuration, by default ``<data_dir>/hc_edi_outbox``). A file is written under a temporary
name and renamed, so the gateway never picks up half a document.
"""

import base64
import hashlib
import io
import os
import time
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from odoo import fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_integration_base.models.hc_inbound_message import backoff_seconds
from odoo.tools import config

EXTENSIONS = {
    "application/edi-x12": "x12",
    "application/edifact": "edi",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
}


class DeliveryRefused(Exception):
    """A configuration problem: retrying will not help until a manager fixes it."""


def outbox_root():
    return os.path.realpath(config.get("hc_edi_outbox_root") or os.path.join(config["data_dir"], "hc_edi_outbox"))


def host_key_fingerprint(key):
    """OpenSSH's ``SHA256:<base64 without padding>`` of a paramiko host key."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


class HcOutboundMessage(models.Model):
    _inherit = "hc.outbound.message"

    def _file_name(self):
        ext = EXTENSIONS.get((self.content_type or "").split(";")[0].strip(), "txt")
        kind = "".join(ch if ch.isalnum() else "_" for ch in (self.message_type or "document"))
        return f"{kind}_{self.id}_{self.webhook_id}.{ext}"

    def _deliver(self):
        url = (self.endpoint_id.sudo().outbound_url or "").strip()
        scheme = url.split(":", 1)[0].lower()
        if scheme not in ("sftp", "file"):
            return super()._deliver()
        self.ensure_one()
        start = time.monotonic()
        shown = url.split("@", 1)[-1] if "@" in url else url  # never a user name in the log
        try:
            if scheme == "file":
                where = self._deliver_folder(url)
            else:
                where = self._deliver_sftp(url)
        except DeliveryRefused as exc:
            return self._refuse_delivery("transport_refused", str(exc))
        except Exception as exc:  # a network or server problem: retried with backoff
            duration = int((time.monotonic() - start) * 1000)
            self._record_attempt(error=type(exc).__name__, duration=duration, url=shown)
            attempts = self.attempts + 1
            dead = attempts >= (self.max_attempts or 8)
            with trust.privileged():
                self.write(
                    {
                        "attempts": attempts,
                        "state": "dead" if dead else "retry",
                        "last_error": type(exc).__name__,
                        "next_attempt_at": False
                        if dead
                        else fields.Datetime.now() + timedelta(seconds=backoff_seconds(attempts)),
                    }
                )
            return False
        duration = int((time.monotonic() - start) * 1000)
        self._record_attempt(duration=duration, excerpt=f"written {where}", url=shown)
        vals = {
            "attempts": self.attempts + 1,
            "state": "sent",
            "sent_at": fields.Datetime.now(),
            "next_attempt_at": False,
            "last_error": False,
            "last_status_code": 0,
            "last_response_excerpt": f"written {where}"[:500],
        }
        if self.ack_deadline and self.ack_status == "none":
            vals["ack_status"] = "awaiting"
        with trust.privileged():
            self.write(vals)
        return True

    def _deliver_folder(self, url):
        root = outbox_root()
        path = os.path.realpath(unquote(urlsplit(url).path or "/"))
        if os.path.commonpath([root, path]) != root:
            raise DeliveryRefused(f"A delivery folder must be inside the EDI outbox root ({root}).")
        os.makedirs(path, exist_ok=True)
        name = self._file_name()
        tmp = os.path.join(path, f".{name}.part")
        with open(tmp, "wb") as fh:
            fh.write(self.payload.encode("utf-8"))
        os.replace(tmp, os.path.join(path, name))
        return name

    def _deliver_sftp(self, url):
        import paramiko

        parts = urlsplit(url)
        partner = self.env["hc.trading.partner"]._for_endpoint(self.endpoint_id.id)
        if not partner:
            raise DeliveryRefused("SFTP delivery needs the endpoint's trading partner (credentials, host key).")
        expected = (partner.sftp_host_key or "").strip()
        if not expected:
            raise DeliveryRefused("SFTP delivery needs the server's host key fingerprint on the trading partner.")
        password = partner.sudo()._get_secret("sftp_password")
        if not parts.hostname or not parts.username or not password:
            raise DeliveryRefused("SFTP delivery needs sftp://user@host:port/directory and the partner's password.")
        timeout = self.endpoint_id.sudo().outbound_timeout or 10
        sock = None
        transport = paramiko.Transport((parts.hostname, parts.port or 22))
        try:
            transport.banner_timeout = timeout
            transport.start_client(timeout=timeout)
            key = transport.get_remote_server_key()
            if host_key_fingerprint(key) != expected:
                raise DeliveryRefused("The SFTP server's host key does not match the fingerprint configured.")
            transport.auth_password(unquote(parts.username), password)
            sock = paramiko.SFTPClient.from_transport(transport)
            directory = unquote(parts.path or "") or "."
            name = self._file_name()
            tmp = f"{directory.rstrip('/')}/.{name}.part"
            final = f"{directory.rstrip('/')}/{name}"
            sock.putfo(io.BytesIO(self.payload.encode("utf-8")), tmp)
            sock.rename(tmp, final)
            return name
        finally:
            if sock is not None:
                sock.close()
            transport.close()
