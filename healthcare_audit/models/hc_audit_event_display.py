"""The auditor reads changes as field labels and record names, with the ids beside them."""

import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class HcAuditEvent(models.Model):
    _inherit = "hc.audit.event"

    changes_readable = fields.Text(compute="_compute_changes_readable", string="Changes")
    model_label = fields.Char(compute="_compute_changes_readable", string="Record Type")

    @api.depends("changes", "model")
    def _compute_changes_readable(self):
        for event in self:
            Model = self.env.get(event.model) if event.model else None
            event.model_label = Model._description if Model is not None else event.model
            try:
                changes = json.loads(event.changes or "{}")
            except ValueError:
                changes = None
            if not isinstance(changes, dict) or not changes:
                event.changes_readable = False
                continue
            lines = []
            for name, change in sorted(changes.items()):
                field = Model._fields.get(name) if Model is not None else None
                label = f"{field.string} ({name})" if field else name
                if isinstance(change, dict) and ("old" in change or "new" in change):
                    old, new = (event._hc_readable(field, change.get(k)) for k in ("old", "new"))
                    lines.append(f"{label}: {old} → {new}")
                else:
                    lines.append(f"{label}: {event._hc_readable(field, change)}")
            event.changes_readable = "\n".join(lines)

    def _hc_readable(self, field, value):
        """A value as a person reads it: record names beside their ids, selection labels."""
        if value in (None, False, "", []):
            return _("(empty)")
        if field is not None and field.type == "selection" and isinstance(value, str):
            labels = dict(field._description_selection(self.env))
            return f"{labels.get(value, value)} ({value})"
        if field is not None and field.relational and (isinstance(value, int) or isinstance(value, list)):
            ids = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)]
            try:
                names = {r.id: r.display_name for r in self.env[field.comodel_name].browse(ids).exists()}
            except AccessError:
                names = {}
            return ", ".join(f"{names[i]} (#{i})" if i in names else f"#{i}" for i in ids)
        return str(value)
