"""Requisitions in (canonical JSON ``requisition`` and FHIR ``SupplyRequest``), a batch at a time.

Every kind of code of the batch (requesters, departments, locations, items, units) is resolved
with one query; the requisitions are created together, then submitted together (budget check,
automatic approval and fulfilment, or routing to an approver). ``stat`` requisitions ask the
engine for the highest priority at the door, so workers claim them first.
"""

import json

from odoo import Command, api, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError

from ..lib import requisition as req_lib
from ..lib import schema

TEAM = "healthcare_inventory_sync.hc_team_master_data"


class HcProcessorRequisition(models.AbstractModel):
    _name = "hc.processor.requisition"
    _inherit = "hc.message.processor"
    _description = "Processor: requisitions"

    # ------------------------------------------------------------------ the door
    @api.model
    def _validate_document(self, message_type, document, kind):
        if kind == "fhir":
            return schema.validate_fhir(document)
        if kind in ("event", "batch"):
            return schema.validate(document)
        return [f"$: {message_type} is sent as JSON"]

    @api.model
    def _document_priority(self, message_type, document):
        return req_lib.priority_level(document)

    @api.model
    def _openapi_schemas(self):
        return {
            "schemas": {"Requisition": schema.REQUISITION, "FhirSupplyRequest": schema.FHIR_SUPPLY_REQUEST},
            "json_bodies": ["Requisition"],
        }

    # ------------------------------------------------------------------ entry point
    @api.model
    def _process(self, messages):
        outcomes, docs = {}, []
        for msg in messages:
            body = json.loads(msg.payload or "{}")
            try:
                if msg.message_type == "SupplyRequest":
                    doc = req_lib.from_supply_request(body)
                else:
                    doc = req_lib.from_canonical(body)
            except req_lib.Unmappable as exc:
                outcomes[msg.id] = HcBusinessError(
                    "fhir_unmappable", f"{exc.path}: {exc.detail}", cause=f"fhir_unmappable:SupplyRequest:{exc.path}"
                )
                continue
            docs.append((msg, doc))
        if not docs:
            return outcomes
        endpoint = messages[:1].endpoint_id
        company = endpoint.company_id
        refs = self._hc_resolve(endpoint, company, docs)
        # the same requisition sent again in another message: the first one stands
        existing = self.env["hc.requisition"].search(
            [("endpoint_id", "=", endpoint.id), ("external_ref", "in", [d.ref for _m, d in docs])]
        )
        by_ref = {r.external_ref: r for r in existing}
        to_create = []
        for msg, doc in docs:
            if doc.ref in by_ref:
                outcomes[msg.id] = {"result_model": "hc.requisition", "result_ids": by_ref[doc.ref].ids}
                continue
            vals = self._hc_vals(msg, doc, refs, company)
            if isinstance(vals, HcBusinessError):
                outcomes[msg.id] = vals
                continue
            by_ref[doc.ref] = True  # a second message of this batch with the same ref waits for the first
            to_create.append((msg, doc, vals))
        if to_create:
            with trust.privileged():
                created = self.env["hc.requisition"].create([v for _m, _d, v in to_create])
            created._hc_submit()
            for (msg, _doc, _v), req in zip(to_create, created, strict=True):
                outcomes[msg.id] = {"result_model": "hc.requisition", "result_ids": req.ids}
        for msg, doc in docs:
            if msg.id not in outcomes:
                first = self.env["hc.requisition"].search(
                    [("endpoint_id", "=", endpoint.id), ("external_ref", "=", doc.ref)], limit=1
                )
                outcomes[msg.id] = {"result_model": "hc.requisition", "result_ids": first.ids}
        return outcomes

    # ------------------------------------------------------------------ resolution (one query per kind)
    def _hc_resolve(self, endpoint, company, docs):
        env = self.env
        requesters = {d.requester for _m, d in docs}
        emps = env["hr.employee"].search([("hc_external_id", "in", list(requesters)), ("company_id", "=", company.id)])
        dept_codes = {d.department for _m, d in docs if d.department}
        depts = (
            env["hr.department"].search(
                [("hc_code", "in", list(dept_codes)), ("company_id", "in", [company.id, False])]
            )
            if dept_codes
            else env["hr.department"]
        )
        # an Organization the sender names as deliverTo may be mapped to a location rather than be a department
        loc_codes = {d.deliver_to for _m, d in docs if d.deliver_to} | {d.department for _m, d in docs if d.department}
        loc_map = env["hc.location.mapping"].sudo()._lookup({(endpoint.id, "", c) for c in loc_codes})
        by_barcode = (
            {
                loc.barcode: loc
                for loc in env["stock.location"].search(
                    [("barcode", "in", list(loc_codes)), ("company_id", "=", company.id)]
                )
            }
            if loc_codes
            else {}
        )
        item_codes = {i.code for _m, d in docs for i in d.items if i.code}
        gtins = {i.gtin for _m, d in docs for i in d.items if i.gtin}
        item_map = env["hc.item.mapping"].sudo()._lookup({(endpoint.id, "", c) for c in item_codes})
        Product = env["product.product"]
        in_company = [("company_id", "in", [False, company.id])]
        by_code = (
            {p.default_code: p for p in Product.search([("default_code", "in", list(item_codes)), *in_company])}
            if item_codes
            else {}
        )
        by_gtin = {}
        if gtins:
            for p in Product.search([("barcode", "in", list(gtins)), *in_company]):
                by_gtin[p.barcode] = p
        uom_codes = {i.uom for _m, d in docs for i in d.items if i.uom}
        uom_map = env["hc.uom.mapping"].sudo()._lookup({(endpoint.id, "", c) for c in uom_codes})
        from odoo.addons.healthcare_inventory_sync.models.hc_processor_inventory import UOM_CODES

        names = {n for c in uom_codes for n in UOM_CODES.get(c.upper(), [])} | uom_codes
        uoms = {u.name.lower(): u for u in env["uom.uom"].search([("name", "in", list(names))])} if names else {}
        mapped_products = Product.browse(set(item_map.values()))
        mapped_locations = env["stock.location"].browse(set(loc_map.values()))
        mapped_uoms = env["uom.uom"].browse(set(uom_map.values()))
        return {
            "employee": {e.hc_external_id: e for e in emps},
            "department": {d.hc_code: d for d in depts},
            "location": lambda code: (
                mapped_locations.browse(loc_map[(endpoint.id, "", code)])
                if (endpoint.id, "", code) in loc_map
                else by_barcode.get(code)
            ),
            "product": lambda item: (
                mapped_products.browse(item_map[(endpoint.id, "", item.code)])
                if item.code and (endpoint.id, "", item.code) in item_map
                else by_code.get(item.code) or by_gtin.get(item.gtin)
            ),
            "uom": lambda code: (
                mapped_uoms.browse(uom_map[(endpoint.id, "", code)])
                if (endpoint.id, "", code) in uom_map
                else next(
                    (uoms[n.lower()] for n in [*UOM_CODES.get(code.upper(), []), code] if n.lower() in uoms), None
                )
            ),
        }

    def _hc_vals(self, msg, doc, refs, company):
        endpoint = msg.endpoint_id
        requester = refs["employee"].get(doc.requester)
        if not requester:
            return HcBusinessError(
                "requester_unknown",
                f"No employee with HR external id '{doc.requester}'.",
                cause=f"requester_unknown:{endpoint.id}:{doc.requester}",
                team_xmlid="healthcare_workforce.hc_team_hr",
            )
        dept = refs["department"].get(doc.department) if doc.department else requester.department_id
        if doc.department and not dept:
            location = refs["location"](doc.department)  # an Organization may be mapped to a location
            if not location:
                return HcBusinessError(
                    "department_unknown",
                    f"No department with code '{doc.department}'.",
                    cause=f"department_unknown:{endpoint.id}:{doc.department}",
                    team_xmlid="healthcare_workforce.hc_team_hr",
                )
            dept = requester.department_id
        else:
            location = None
        if doc.deliver_to:
            location = refs["location"](doc.deliver_to)
            if not location:
                return HcBusinessError(
                    "location_unknown",
                    f"No stock location for '{doc.deliver_to}': create a location mapping or set its barcode.",
                    cause=f"location_unknown:{endpoint.id}:{doc.deliver_to}",
                    team_xmlid=TEAM,
                )
        location = location or dept.hc_location_id
        if not location:
            return HcBusinessError(
                "location_unknown",
                f"Requisition {doc.ref} names no delivery location and department '{dept.name or '?'}' has none.",
                cause=f"location_unknown:{endpoint.id}:department:{dept.id}",
                team_xmlid=TEAM,
            )
        lines = []
        for item in doc.items:
            product = refs["product"](item)
            if not product:
                code = item.code or item.gtin
                return HcBusinessError(
                    "item_unknown",
                    f"No product for item '{code}': create an item mapping.",
                    cause=f"item_unknown:{endpoint.id}:{code}",
                    team_xmlid=TEAM,
                )
            uom = product.uom_id
            if item.uom:
                uom = refs["uom"](item.uom)
                if not uom:
                    return HcBusinessError(
                        "uom_unknown",
                        f"Unknown unit '{item.uom}'.",
                        cause=f"uom_unknown:{endpoint.id}:{item.uom}",
                        team_xmlid=TEAM,
                    )
                if uom.category_id != product.uom_id.category_id:
                    return HcBusinessError(
                        "uom_incompatible",
                        f"Unit '{item.uom}' does not fit {product.display_name}.",
                        cause=f"uom_incompatible:{endpoint.id}:{item.uom}:{product.id}",
                        team_xmlid=TEAM,
                    )
            seller = product._select_seller(quantity=float(item.quantity), uom_id=uom)
            price = seller.price if seller else product.uom_id._compute_price(product.standard_price, uom)
            lines.append(
                Command.create(
                    {
                        "item_code": item.code or item.gtin,
                        "product_id": product.id,
                        "product_qty": float(item.quantity),
                        "product_uom_id": uom.id,
                        "price_unit": price,
                        "note": item.note,
                    }
                )
            )
        return {
            "external_ref": doc.ref,
            "company_id": company.id,
            "endpoint_id": endpoint.id,
            "message_id": msg.id,
            "correlation_id": msg.correlation_id,
            "source": doc.source,
            "requester_id": requester.id,
            "department_id": dept.id or False,
            "cost_center_id": (dept.hc_cost_center_id or requester.hc_cost_center_id).id or False,
            "location_dest_id": location.id,
            "needed_by": doc.needed_by,
            "priority": doc.priority,
            "reason": doc.reason,
            "line_ids": lines,
        }
