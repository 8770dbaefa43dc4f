"""Remember the client of an XML-RPC / JSON-RPC call while it runs.

``odoo.http.dispatch_rpc`` hides the HTTP request from the code it runs (``borrow_request``);
the audit trail still wants the interface ('rpc') and the client IP, so the RPC controller
puts them on the thread for the duration of the call.
"""

import threading

from odoo import http
from odoo.addons.base.controllers.rpc import RPC
from odoo.http import request


class _RpcMarker:
    def __init__(self, protocol):
        self.protocol = protocol

    def __enter__(self):
        thread = threading.current_thread()
        self.previous = getattr(thread, "hc_audit_rpc", None)
        try:
            ip = request.httprequest.remote_addr
        except Exception:
            ip = None
        thread.hc_audit_rpc = {"protocol": self.protocol, "ip": ip}

    def __exit__(self, *exc):
        threading.current_thread().hc_audit_rpc = self.previous


class HcAuditRPC(RPC):
    def _xmlrpc(self, service):
        with _RpcMarker("xmlrpc"):
            return super()._xmlrpc(service)

    @http.route()
    def jsonrpc(self, service, method, args):
        with _RpcMarker("jsonrpc"):
            return super().jsonrpc(service, method, args)
