"""Outbound business events: an external system subscribes to what happened in Odoo.

A business module publishes an event (``inventory.posted``, ``lot.quarantined``, ...) in the
transaction that made the change: ``env["hc.event.subscription"]._publish(...)``. Each active
subscription matching the event's type becomes one ``hc.outbound.message`` in that same
transaction, so a rolled-back change sends nothing, and a committed one is delivered (signed,
retried, at least once, the same ``webhook-id`` on every attempt) by the outbound queue.
"""

import json
import uuid
from datetime import timezone
from fnmatch import fnmatchcase

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


class HcEventSubscription(models.Model):
    _name = "hc.event.subscription"
    _inherit = ["hc.cached.config.mixin"]  # the engine caches it: changes clear the cache
    _description = "Event Subscription"
    _order = "endpoint_id, event_type"

    endpoint_id = fields.Many2one(
        "hc.endpoint",
        required=True,
        index=True,
        ondelete="cascade",
        help="The system that receives the events, at its delivery URL, signed with its outbound secret.",
    )
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True)
    event_type = fields.Char(
        required=True, help="An event type (inventory.posted, lot.quarantined) or a pattern (inventory.*, *)."
    )
    active = fields.Boolean(default=True)
    delivered_count = fields.Integer(compute="_compute_delivered_count", string="Deliveries")

    _sql_constraints = [
        ("endpoint_type_unique", "unique(endpoint_id, event_type)", "This endpoint already subscribes to it.")
    ]

    @api.constrains("endpoint_id")
    def _check_delivery_url(self):
        for rec in self:
            if not rec.endpoint_id.outbound_url:
                raise ValidationError(
                    _("Endpoint %s has no delivery URL: set one before subscribing it to events.", rec.endpoint_id.code)
                )

    def _compute_delivered_count(self):
        data = self.env["hc.outbound.message"]._read_group(
            [("endpoint_id", "in", self.endpoint_id.ids), ("message_type", "like", "%.%")],
            ["endpoint_id", "message_type"],
            ["__count"],
        )
        for rec in self:
            rec.delivered_count = sum(
                n for ep, mtype, n in data if ep == rec.endpoint_id and fnmatchcase(mtype or "", rec.event_type)
            )

    @api.model
    @tools.ormcache()
    def _rows(self):
        """Active subscriptions as ``(endpoint_id, company_id, pattern)``, cached per process."""
        subs = self.sudo().with_context(active_test=True).search([("endpoint_id.active", "=", True)])
        return tuple((s.endpoint_id.id, s.endpoint_id.company_id.id, s.event_type) for s in subs)

    # ------------------------------------------------------------------ publishing
    @api.model
    def _publish(self, event_type, events):
        """Queue one delivery per (event, matching subscription); returns the outbound messages.

        ``events`` is a list of dicts with ``data`` (the event's JSON body), and optionally
        ``company_id`` (only subscriptions of that company receive it), ``correlation_id``,
        ``occurred_at`` (naive UTC datetime), ``res_model``/``res_id``. No subscription: no query.
        """
        table = self._rows()
        matching = [(ep, company) for ep, company, pattern in table if fnmatchcase(event_type, pattern)]
        Outbound = self.env["hc.outbound.message"].sudo()
        if not matching or not events:
            return Outbound
        now = fields.Datetime.now()
        vals = []
        for event in events:
            for endpoint_id, company_id in matching:
                if event.get("company_id") and event["company_id"] != company_id:
                    continue
                event_id = f"evt_{uuid.uuid4().hex}"
                at = event.get("occurred_at") or now
                body = {
                    "id": event_id,
                    "type": event_type,
                    "occurred_at": at.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z"),
                    "correlation_id": event.get("correlation_id"),
                    "data": event.get("data") or {},
                }
                vals.append(
                    {
                        "endpoint_id": endpoint_id,
                        "message_type": event_type,
                        "payload": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                        "webhook_id": event_id,
                        "correlation_id": event.get("correlation_id"),
                        "res_model": event.get("res_model"),
                        "res_id": event.get("res_id") or False,
                    }
                )
        if not vals:
            return Outbound
        created = Outbound.create(vals)
        cron = self.env.ref("healthcare_integration_base.ir_cron_hc_deliver_outbound", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()  # a trigger row in this transaction: rolled back with it
        return created
