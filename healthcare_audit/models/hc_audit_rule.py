import logging

from odoo import api, models
from odoo import fields as ofields
from odoo import tools as otools
from odoo.addons.healthcare_integration_base.lib import trust

from . import tools

_logger = logging.getLogger(__name__)
MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date", "__last_update", "display_name"}
PATCH_FLAG = "_hc_audit_patched"


def _serialize(record, fname, field):
    """A JSON-able value of one field, masked when sensitive."""
    if tools.is_sensitive(fname, record._name):
        return tools.MASK
    value = record[fname]
    ftype = field.type
    if ftype == "many2one":
        return [value.id, value.display_name] if value else None
    if ftype in ("one2many", "many2many"):
        return value.ids
    if ftype in ("date", "datetime"):
        return ofields.Datetime.to_string(value) if ftype == "datetime" else ofields.Date.to_string(value)
    if ftype == "binary":
        return "<binary>" if value else None
    if ftype in ("html", "text") and value:
        return str(value)[:2000]
    if value is False and ftype not in ("boolean",):
        return None
    return value


def _snapshot(records, fnames):
    fields_map = records._fields
    return {rec.id: {f: _serialize(rec, f, fields_map[f]) for f in fnames} for rec in records}


def _make_create(origin):
    @api.model_create_multi
    def create(self, vals_list):
        records = origin(self, vals_list)
        rule = _rule(self)
        if rule and "create" in rule["actions"]:
            try:
                self.env["hc.audit.rule"]._audit_create(records, rule)
            except Exception:
                _logger.exception("hc_audit: could not record the creation of %s", records)
                raise
        return records

    return create


def _make_write(origin):
    def write(self, vals):
        rule = _rule(self)
        if not rule or not self or not ({"write", "state"} & rule["actions"]):
            return origin(self, vals)
        fnames = [
            f
            for f in vals
            if f in self._fields
            and (not rule["fields"] or f in rule["fields"])
            and f not in MAGIC
            and self._fields[f].store
        ]
        if not fnames:
            return origin(self, vals)
        states = rule["states"]
        if states and "state" in self._fields:
            # fast path: a rule limited to some states ignores writes that leave records elsewhere
            if "state" in vals:
                if vals["state"] not in states:
                    return origin(self, vals)
            elif not any(state in states for state in self.sudo().mapped("state")):
                return origin(self, vals)
        records = self.sudo().with_context(active_test=False, prefetch_fields=False)
        old = _snapshot(records, fnames)
        res = origin(self, vals)
        self.env["hc.audit.rule"]._audit_write(records, rule, fnames, old)
        return res

    return write


def _make_unlink(origin):
    def unlink(self):
        rule = _rule(self)
        if not rule or not self or "unlink" not in rule["actions"]:
            return origin(self)
        records = self.sudo().with_context(active_test=False)
        fnames = _tracked_fields(records, rule)
        old = _snapshot(records, fnames)
        names = {r.id: r.display_name for r in records}
        entries = [
            {
                "action": "unlink",
                "model": self._name,
                "res_id": rid,
                "res_name": names.get(rid),
                "changes": {f: {"old": v, "new": None} for f, v in vals.items()},
            }
            for rid, vals in old.items()
        ]
        res = origin(self)
        self.env["hc.audit.event"].sudo()._log(entries)
        return res

    return unlink


def _tracked_fields(records, rule):
    if rule["fields"] is not None:
        return sorted(f for f in rule["fields"] if f in records._fields)
    return sorted(
        f
        for f, fld in records._fields.items()
        if fld.store and f not in MAGIC and fld.type not in ("binary", "one2many")
    )


def _rule(records):
    if trust.is_audit_suspended():  # server code only: no context key switches the trail off
        return None
    return records.env["hc.audit.rule"]._rules_by_model().get(records._name)


class HcAuditRule(models.Model):
    """What the trail tracks: a model, its fields (empty: every stored field) and actions.

    Rules are matched by model name, so shipped rules may name models of modules that are
    not installed; they are skipped until the model exists.
    """

    _name = "hc.audit.rule"
    _description = "Audit Rule"
    _order = "model, id"

    name = ofields.Char(required=True)
    model = ofields.Char(required=True, index=True, help="Technical model name, e.g. stock.move")
    actions = ofields.Char(
        default="create,write,unlink", required=True, help="Comma-separated: create, write, unlink, state"
    )
    state_values = ofields.Char(
        help="Only record changes of records whose 'state' becomes (or is) one of these values, e.g. done"
    )
    active = ofields.Boolean(default=True)
    model_installed = ofields.Boolean(compute="_compute_model_installed")
    note = ofields.Text()
    fields = ofields.Char(help="Comma-separated field names to track; empty: every stored field")

    def _compute_model_installed(self):
        for rule in self:
            rule.model_installed = rule.model in self.env

    @api.model
    @otools.ormcache()
    def _rules_by_model(self):
        """{model: {"fields": frozenset or None, "actions": frozenset, "states": frozenset}} (installed only)."""
        result = {}
        for rule in self.sudo().search([("active", "=", True)]):
            if rule.model not in self.env:
                continue
            entry = result.setdefault(rule.model, {"fields": set(), "all": False, "actions": set(), "states": set()})
            names = [f.strip() for f in (rule.fields or "").split(",") if f.strip()]
            if names:
                entry["fields"].update(f for f in names if f in self.env[rule.model]._fields)
            else:
                entry["all"] = True
            entry["actions"].update(a.strip() for a in (rule.actions or "").split(",") if a.strip())
            entry["states"].update(s.strip() for s in (rule.state_values or "").split(",") if s.strip())
        return {
            model: {
                "fields": None if e["all"] else frozenset(e["fields"]),
                "actions": frozenset(e["actions"]),
                "states": frozenset(e["states"]),
            }
            for model, e in result.items()
        }

    # ------------------------------------------------------------------ patching
    def _register_hook(self):
        super()._register_hook()
        self._patch_models()

    @api.model
    def _patch_models(self):
        """Wrap create/write/unlink of every installed model that has a rule (once per registry).

        Returns True when a model was patched now: other workers then reload their registry.
        """
        patched = False
        self.env.cr.execute("SELECT to_regclass('hc_audit_rule') IS NOT NULL")
        if not self.env.cr.fetchone()[0]:
            return patched
        self.env.cr.execute("SELECT DISTINCT model FROM hc_audit_rule WHERE active")
        for (model,) in self.env.cr.fetchall():
            if model not in self.env:
                _logger.debug("hc_audit: model %s is not installed, rule skipped", model)
                continue
            model_cls = type(self.env[model])
            for name, factory in (("create", _make_create), ("write", _make_write), ("unlink", _make_unlink)):
                if getattr(model_cls.__dict__.get(name), PATCH_FLAG, False):
                    continue
                wrapped = factory(getattr(model_cls, name))
                setattr(wrapped, PATCH_FLAG, True)
                setattr(model_cls, name, wrapped)
                patched = True
        return patched

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        if self._patch_models() and not self.env.registry.in_test_mode():
            self.env.registry.registry_invalidated = True
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        if self._patch_models() and not self.env.registry.in_test_mode():
            self.env.registry.registry_invalidated = True
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    # ------------------------------------------------------------------ recording
    @api.model
    def _audit_create(self, records, rule):
        if not records:
            return
        records = records.sudo().with_context(active_test=False)
        fnames = _tracked_fields(records, rule)
        if rule["states"] and "state" in records._fields:
            records = records.filtered(lambda r: r.state in rule["states"])
            if not records:
                return
        values = _snapshot(records, fnames)
        entries = [
            {
                "action": "create",
                "model": records._name,
                "res_id": rec.id,
                "res_name": rec.display_name,
                "changes": {f: {"old": None, "new": v} for f, v in values[rec.id].items() if v not in (None, [])},
            }
            for rec in records
        ]
        self.env["hc.audit.event"].sudo()._log(entries)

    @api.model
    def _audit_inserted(self, records, extra_by_id=None, values_by_id=None):
        """Records written in bulk outside the ORM, already in their final state (e.g. the done
        stock moves of a batch): logged as the ORM hooks log records reaching that state.

        ``extra_by_id``: per record id, entry overrides such as message_id and correlation_id.
        ``values_by_id``: per record id, field values the writer already knows, in the trail's
        format (many2one ``[id, name]``, x2many ids, datetimes as text); the tracked fields it
        does not give are read from the records.
        """
        rule = _rule(records)
        if not records or not rule or not ({"create", "state", "write"} & rule["actions"]):
            return []
        records = records.sudo().with_context(active_test=False)
        values_by_id = values_by_id or {}
        if rule["states"] and "state" in records._fields:

            def state_of(rec):
                given = values_by_id.get(rec.id, {})
                return given["state"] if "state" in given else rec.state

            records = records.filtered(lambda r: state_of(r) in rule["states"])
        fnames = _tracked_fields(records, rule)
        known = values_by_id and all(f in values_by_id.get(rec.id, {}) for rec in records for f in fnames)
        values = (
            {rec.id: {f: values_by_id[rec.id][f] for f in fnames} for rec in records}
            if known
            else _snapshot(records, fnames)
        )
        for rec_values in values.values():
            for fname in rec_values:
                if tools.is_sensitive(fname, records._name):
                    rec_values[fname] = tools.MASK
        action = "state" if "state" in rule["actions"] and "state" in records._fields else "create"
        extra_by_id = extra_by_id or {}
        entries = [
            {
                "action": action,
                "model": records._name,
                "res_id": rec.id,
                "res_name": rec.display_name,
                "changes": {f: {"old": None, "new": v} for f, v in values[rec.id].items() if v not in (None, [])},
                **{k: v for k, v in extra_by_id.get(rec.id, {}).items() if v},
            }
            for rec in records
        ]
        return self.env["hc.audit.event"].sudo()._log(entries)

    @api.model
    def _audit_write(self, records, rule, fnames, old):
        new = _snapshot(records, fnames)
        states = rule["states"]
        entries = []
        names = None
        for rec in records:
            before, after = old.get(rec.id, {}), new[rec.id]
            changes = {
                f: {"old": before.get(f), "new": after[f]}
                for f in fnames
                if before.get(f) != after[f] or after[f] == tools.MASK
            }
            if not changes:
                continue
            if states and "state" in rec._fields and rec.state not in states:
                continue
            if "state" in changes:
                action = "state"
            elif "write" in rule["actions"]:
                action = "write"
            else:
                continue
            if names is None:
                names = {r.id: r.display_name for r in records}
            entries.append(
                {
                    "action": action,
                    "model": rec._name,
                    "res_id": rec.id,
                    "res_name": names.get(rec.id),
                    "changes": changes,
                }
            )
        self.env["hc.audit.event"].sudo()._log(entries)
