"""``recall.notice``: a supplier's system, a recall feed or a regulator opens a recall case."""

import json

from odoo import api, models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError

from ..lib import codes
from ..lib import notice as notice_lib


class HcProcessorRecall(models.AbstractModel):
    _name = "hc.processor.recall"
    _inherit = "hc.message.processor"
    _description = "Processor: recall notices"

    @api.model
    def _validate_document(self, message_type, document, kind):
        if kind not in ("event", "batch"):
            return []
        violations = notice_lib.validate_notice(document)
        if not violations:
            try:
                notice_lib.normalise_notice(document)
            except notice_lib.NoticeError as exc:
                if exc.code == "schema_violation":  # e.g. an issued_at that is no real date
                    violations = [exc.detail]
        return violations

    @api.model
    def _openapi_schemas(self):
        return {"schemas": {"RecallNotice": notice_lib.RECALL_NOTICE}, "json_bodies": ["RecallNotice"]}

    @api.model
    def _process(self, messages):
        out = {}
        Recall = self.env["hc.recall"].sudo()
        for msg in messages:
            company = msg.endpoint_id.company_id
            try:
                notice = notice_lib.normalise_notice(json.loads(msg.payload or "{}"))
            except (notice_lib.NoticeError, ValueError) as exc:
                code = getattr(exc, "code", "schema_violation")
                out[msg.id] = HcBusinessError(
                    code,
                    str(getattr(exc, "detail", exc)),
                    cause=f"{code}:{msg.id}",
                    team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
                )
                continue
            product = self._hc_product(notice, msg.endpoint_id)
            if not product:
                what = notice.gtin or notice.item_code
                out[msg.id] = HcBusinessError(
                    codes.RECALL_ITEM_UNKNOWN,
                    f"No product for recalled item {what!r}: map it, or close the notice if it is not stocked here.",
                    cause=f"{codes.RECALL_ITEM_UNKNOWN}:{msg.endpoint_id.id}:{what}",
                    severity="high",
                    team_xmlid="healthcare_inventory_sync.hc_team_master_data",
                )
                continue
            lots = (
                self.env["stock.lot"]
                .sudo()
                .search(
                    [
                        ("product_id", "=", product.id),
                        ("name", "in", notice.lots),
                        ("company_id", "in", [False, company.id]),
                    ]
                )
            )
            unknown = [name for name in notice.lots if name not in set(lots.mapped("name"))]
            recall = Recall.create(
                {
                    "company_id": company.id,
                    "product_id": product.id,
                    "lot_ids": [(6, 0, lots.ids)],
                    "unknown_lots": ", ".join(unknown) or False,
                    "reason": notice.reason or f"Recall notice {notice.key or msg.id}",
                    "classification": notice.classification or False,
                    "source": notice.authority or notice.source_system or msg.endpoint_id.name,
                    "external_ref": notice.key or msg.idempotency_key,
                    "issued_at": notice.issued_at,
                    "notice_message_id": msg.id,
                }
            )
            recall._hc_notify_opened()
            out[msg.id] = {"result_model": "hc.recall", "result_ids": recall.ids}
        return out

    def _hc_product(self, notice, endpoint):
        """The recalled product in the endpoint's company (or shared): by item mapping, GTIN, then code."""
        company = endpoint.company_id
        Product = self.env["product.product"].sudo().with_context(active_test=False)
        in_company = [("company_id", "in", [False, company.id])]
        if notice.item_code:
            mapped = (
                self.env["hc.item.mapping"]
                .sudo()
                .search([("external_code", "=", notice.item_code), ("endpoint_id", "=", endpoint.id)], limit=1)
            )
            if mapped and mapped.product_id.company_id in (company, company.browse()):
                return mapped.product_id
        if notice.gtin:
            product = Product.search([("hc_gtin14", "=", notice.gtin), *in_company], limit=1)
            if product:
                return product
        if notice.item_code:
            return Product.search([("default_code", "=", notice.item_code), *in_company], limit=1)
        return Product.browse()
