"""An inventory exception as the pharmacist reads it: what happened, in Odoo's terms, what
approving will do, and links to fix the master data when that is what it waits for."""

from odoo import _, api, fields, models

# a person's approval lets these through (the processor honours the override)
APPROVABLE = {"lot_expired", "lot_quarantined", "negative_stock"}
# these wait for master data: fix it, then retry the waiting messages
FIX_MASTER_DATA = {
    "item_unknown",
    "location_unknown",
    "uom_unknown",
    "uom_incompatible",
    "lot_unknown",
    "lot_expiry_mismatch",
    "lot_required",
    "serial_required",
    "gtin_check_digit",
    "reversal_pending",
}


class HcException(models.Model):
    _inherit = "hc.exception"

    hc_message_id = fields.Many2one(
        "hc.inbound.message", compute="_compute_hc_event", string="Waiting Message", help="The first waiting message."
    )
    hc_product_id = fields.Many2one("product.product", compute="_compute_hc_event", string="Product")
    hc_lot_id = fields.Many2one("stock.lot", compute="_compute_hc_event", string="Lot/Serial")
    hc_lot_name = fields.Char(compute="_compute_hc_event", string="Lot/Serial (as sent)")
    hc_quantity_display = fields.Char(compute="_compute_hc_event", string="Quantity")
    hc_location_id = fields.Many2one("stock.location", compute="_compute_hc_event", string="From")
    hc_location_dest_id = fields.Many2one("stock.location", compute="_compute_hc_event", string="To")
    hc_occurred_at = fields.Datetime(compute="_compute_hc_event", string="Happened At")
    hc_source_system = fields.Char(compute="_compute_hc_event", string="Sending System")
    hc_lot_expiry = fields.Char(compute="_compute_hc_event", string="Lot Expiry")
    hc_effect = fields.Char(compute="_compute_hc_event", string="Approving Will")

    @api.depends("message_ids.state", "code")
    def _compute_hc_event(self):
        from .hc_expiry_risk_display import expiry_words

        for exc in self:
            msgs = exc.message_ids.filtered(lambda m: m.hc_event_kind)
            msg = msgs.filtered(lambda m: m.state == "failed")[:1] or msgs[:1]
            exc.hc_message_id = msg
            exc.hc_product_id = msg.hc_product_id
            exc.hc_lot_id = msg.hc_lot_id
            exc.hc_lot_name = msg.hc_lot_name
            exc.hc_quantity_display = msg.hc_quantity_display
            exc.hc_location_id = msg.hc_location_id
            exc.hc_location_dest_id = msg.hc_location_dest_id
            exc.hc_occurred_at = msg.occurred_at
            exc.hc_source_system = msg.hc_source_system
            lot = msg.hc_lot_id
            exc.hc_lot_expiry = False
            if lot.expiration_date:
                days = (lot.expiration_date.date() - fields.Date.context_today(exc)).days
                exc.hc_lot_expiry = f"{lot.expiration_date.date()} ({expiry_words(days)})"
            exc.hc_effect = exc._hc_effect_sentence(msg) if msg else False

    def _hc_effect_sentence(self, msg):
        """'consume 2 Units × Heparin 5000 IU lot HEP-EXP-01 from ICU Cabinet 7, expired 2025-01-31'."""
        self.ensure_one()
        if self.code not in APPROVABLE:
            if self.code in FIX_MASTER_DATA:
                return _("Approving cannot post it: fix the master data (see Fix Master Data), then retry.")
            return False
        what = f"{msg.hc_quantity_display or ''} × {msg.hc_product_id.display_name or msg.hc_item_code or '?'}"
        if msg.hc_lot_name:
            what += _(" lot %s", msg.hc_lot_name)
        verbs = {
            "consumption": _("consume"),
            "waste": _("write off"),
            "transfer": _("move"),
            "receipt": _("receive"),
            "return": _("return"),
            "count": _("record the count of"),
        }
        verb = verbs.get(msg.hc_event_kind, msg.hc_event_kind or _("post"))
        where = ""
        if msg.hc_location_id and msg.hc_location_dest_id:
            where = _(
                " from %(src)s to %(dest)s",
                src=msg.hc_location_id.display_name,
                dest=msg.hc_location_dest_id.display_name,
            )
        elif msg.hc_location_id:
            into = msg.hc_event_kind in ("receipt", "return", "count")
            name = msg.hc_location_id.display_name
            where = _(" into %s", name) if into else _(" from %s", name)
        sentence = f"{verb} {what}{where}"
        lot = msg.hc_lot_id
        if self.code == "lot_expired" and lot.expiration_date:
            sentence += _(", expired %s", lot.expiration_date.date())
        elif self.code == "lot_quarantined":
            sentence += _(", although the lot is quarantined")
        elif self.code == "negative_stock":
            sentence += _(", although Odoo has less on hand there")
        waiting = len(self.message_ids.filtered(lambda m: m.state == "failed"))
        if waiting > 1:
            sentence += _(" (and %s more waiting messages of the same cause)", waiting - 1)
        return sentence

    def _compute_approvable(self):
        super()._compute_approvable()
        for exc in self:
            if exc.code in FIX_MASTER_DATA:
                exc.approvable = False
                exc.can_retry = True
            elif exc.code in APPROVABLE:
                exc.can_retry = False

    # ------------------------------------------------------------------ fix master data
    def _hc_fix_form(self, model, name, context):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_hc_map_item(self):
        self.ensure_one()
        msg = self.hc_message_id
        return self._hc_fix_form(
            "hc.item.mapping",
            _("Map item %s", msg.hc_item_code or ""),
            {"default_endpoint_id": self.endpoint_id.id, "default_external_code": msg.hc_item_code},
        )

    def action_hc_map_location(self):
        self.ensure_one()
        msg = self.hc_message_id
        code = msg.hc_location_code if not msg.hc_location_id else msg.hc_location_dest_code
        return self._hc_fix_form(
            "hc.location.mapping",
            _("Map location %s", code or ""),
            {"default_endpoint_id": self.endpoint_id.id, "default_external_code": code},
        )

    def action_hc_map_uom(self):
        self.ensure_one()
        msg = self.hc_message_id
        return self._hc_fix_form(
            "hc.uom.mapping",
            _("Map unit %s", msg.hc_uom_code or ""),
            {"default_endpoint_id": self.endpoint_id.id, "default_external_code": msg.hc_uom_code},
        )

    def action_hc_open_lot(self):
        """Open the lot (to check its expiry, release it from quarantine), or create the unknown one."""
        self.ensure_one()
        msg = self.hc_message_id
        if msg.hc_lot_id:
            return {
                "type": "ir.actions.act_window",
                "name": msg.hc_lot_id.display_name,
                "res_model": "stock.lot",
                "res_id": msg.hc_lot_id.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "current",
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Create lot %s", msg.hc_lot_name or ""),
            "res_model": "stock.lot",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_name": msg.hc_lot_name,
                "default_product_id": msg.hc_product_id.id,
                "default_expiration_date": msg.hc_expiry_date and fields.Datetime.to_datetime(msg.hc_expiry_date),
            },
        }
