"""A supplier connected by EDI, an order confirmed to it, and its documents sent in through the
real ingestion and processing of inbound messages (X12 / EDIFACT / cXML written by the lib)."""

import hashlib
import uuid
from datetime import datetime

from odoo.addons.healthcare_procurement_edi.lib import interchange
from odoo.addons.healthcare_procurement_edi.lib import outbound as edi_out
from odoo.tests import new_test_user

from .common import EdiCase

CONTENT = {"x12_4010": "application/edi-x12", "edifact_d96a": "application/edifact", "cxml": "application/xml"}


class FlowCase(EdiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner.write(
            {
                "price_tolerance_percent": 2.0,
                "quantity_tolerance_percent": 0.0,
                "days_late_tolerance": 2,
                "min_shelf_life_days": 180,
            }
        )
        cls.lot_product = cls.env["product.product"].create(
            {
                "name": "Sterile gloves M",
                "default_code": "GLV-M",
                "barcode": "00312345000011",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "seller_ids": [(0, 0, {"partner_id": cls.supplier.id, "product_code": "V-GLV", "price": 4.0})],
            }
        )
        cls.approver = new_test_user(
            cls.env,
            "flow_approver",
            groups="healthcare_integration_base.group_hc_approver,purchase.group_purchase_manager,account.group_account_manager",
        )
        cls._ctl = 700

    def order(self, lines=None):
        lines = lines or [(self.product, 10, 12.5), (self.lot_product, 100, 4.0)]
        po = self.env["purchase.order"].create(
            {
                "partner_id": self.supplier.id,
                "order_line": [(0, 0, {"product_id": p.id, "product_qty": q, "price_unit": pr}) for p, q, pr in lines],
            }
        )
        po.button_confirm()
        return po

    def canonical(self, po):
        return po._edi_canonical(self.partner)

    def send(self, document, fmt="x12_4010"):
        type(self)._ctl += 1
        n = type(self)._ctl
        env = edi_out.Envelope(
            sender_id="STERILESUP",
            sender_qualifier="ZZ",
            receiver_id="GENHOSP",
            receiver_qualifier="ZZ",
            interchange_control_number=n,
            group_control_number=n,
            set_control_numbers=[n],
            version=fmt,
            when=datetime(2026, 12, 1, 9, 30),
        )
        data = edi_out.render_document(fmt, document, env)
        return self.send_raw(data, fmt)

    def send_raw(self, data, fmt="x12_4010"):
        ic = interchange.read(data)
        text = data.decode("utf-8")
        Message = self.env["hc.inbound.message"]
        self.env.registry.clear_cache()
        ctx = self.env["hc.endpoint"]._auth_context(self.endpoint.code)
        meta = {
            "correlation_id": f"corr-{uuid.uuid4().hex[:8]}",
            "content_type": CONTENT.get(fmt, "application/edi-x12"),
            "webhook_id": uuid.uuid4().hex,
            "client_ip": "127.0.0.1",
        }
        res = Message._ingest(
            ctx,
            [
                {
                    "key": uuid.uuid4().hex,
                    "body_hash": hashlib.sha256(data).hexdigest(),
                    "message_type": ic.sets[0].message_type,
                    "payload": text,
                }
            ],
            meta,
        )
        Message.process_pending(commit=False, limit=1000)
        msg = Message.browse(res[0]["message_id"])
        return msg

    def exceptions(self, record, code=None):
        dom = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if code:
            dom.append(("code", "=", code))
        return self.env["hc.exception"].search(dom)
