import base64
import csv
import io

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare


class HcReconciliationRun(models.Model):
    """External on-hand vs Odoo on-hand; an adjustment is applied only after an approver's decision."""

    _name = "hc.reconciliation.run"
    _description = "Stock Reconciliation Run"
    _inherit = ["mail.thread", "mail.activity.mixin", "hc.guarded.mixin"]
    _order = "id desc"
    # the four-eyes record: written only by action_propose / action_approve / action_reject
    _hc_guarded_fields = frozenset({"state", "proposed_by_id", "decided_by_id", "decision_reason"})

    name = fields.Char(required=True, default=lambda self: _("Reconciliation %s", fields.Date.today()))
    endpoint_id = fields.Many2one("hc.endpoint", string="Source System")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [("draft", "Draft"), ("proposed", "Adjustment Proposed"), ("applied", "Applied"), ("rejected", "Rejected")],
        default="draft",
        required=True,
        tracking=True,
    )
    line_ids = fields.One2many("hc.reconciliation.line", "run_id", string="Lines")
    csv_file = fields.Binary(
        string="External On-hand (CSV)",
        attachment=False,
        help="Columns: location, item, lot, quantity (location barcode, item internal reference).",
    )
    proposed_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    decided_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    decision_reason = fields.Text(readonly=True, tracking=True)
    variance_value = fields.Float(compute="_compute_totals", string="Variance Value")

    @api.depends("line_ids.variance_value")
    def _compute_totals(self):
        for run in self:
            run.variance_value = sum(run.line_ids.mapped("variance_value"))

    # ------------------------------------------------------------------ building lines
    def action_load_counts(self):
        """Lines from the latest external count per location/product/lot of the source system."""
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id)]
        if self.endpoint_id:
            domain.append(("endpoint_id", "=", self.endpoint_id.id))
        latest = {}
        for count in self.env["hc.stock.count"].search(domain, order="counted_at desc, id desc"):
            latest.setdefault((count.location_id.id, count.product_id.id, count.lot_id.id), count)
        self._set_lines([(c.location_id, c.product_id, c.lot_id, c.external_qty) for c in latest.values()])

    def action_load_csv(self):
        self.ensure_one()
        if not self.csv_file:
            raise UserError(_("Upload the external on-hand as a CSV file first."))
        text = base64.b64decode(self.csv_file).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        need = {"location", "item", "quantity"}
        if not rows or not need <= set(rows[0]):
            raise UserError(_("The CSV needs the columns location, item, lot, quantity."))
        locations = {
            loc.barcode: loc
            for loc in self.env["stock.location"].search([("barcode", "in", list({r["location"] for r in rows}))])
        }
        products = {
            p.default_code: p
            for p in self.env["product.product"].search([("default_code", "in", list({r["item"] for r in rows}))])
        }
        lots = {
            (lot.product_id.id, lot.name): lot
            for lot in self.env["stock.lot"].search(
                [("name", "in", list({r.get("lot") for r in rows if r.get("lot")}))]
            )
        }
        entries, unknown = [], []
        for number, row in enumerate(rows, start=2):
            loc, product = locations.get(row["location"]), products.get(row["item"])
            if not loc or not product:
                unknown.append(str(number))
                continue
            lot = lots.get((product.id, row.get("lot"))) or self.env["stock.lot"]
            entries.append((loc, product, lot, float(row["quantity"] or 0), bool(row.get("lot")) and not lot))
        if unknown:
            raise UserError(_("Unknown location or item on CSV lines %s.", ", ".join(unknown)))
        self._set_lines(entries)

    def _set_lines(self, entries):
        if self.state != "draft":
            raise UserError(_("Only a draft reconciliation can be rebuilt."))
        entries = [e if len(e) == 5 else (*e, False) for e in entries]
        groups = self.env["stock.quant"]._read_group(
            [
                ("location_id", "in", list({e[0].id for e in entries})),
                ("product_id", "in", list({e[1].id for e in entries})),
            ],
            ["location_id", "product_id", "lot_id"],
            ["quantity:sum"],
        )
        on_hand = {(loc.id, prod.id, lot.id or False): qty for loc, prod, lot, qty in groups}
        self.line_ids.unlink()
        vals = []
        for loc, product, lot, ext, lot_missing in entries:
            odoo_qty = on_hand.get((loc.id, product.id, lot.id or False), 0.0)
            variance = ext - odoo_qty
            if lot_missing:
                cls = "unknown_lot"
            elif float_compare(variance, 0, precision_rounding=product.uom_id.rounding) == 0:
                cls = "match"
            else:
                cls = "over" if variance > 0 else "short"
            vals.append(
                {
                    "run_id": self.id,
                    "location_id": loc.id,
                    "product_id": product.id,
                    "lot_id": lot.id or False,
                    "external_qty": ext,
                    "odoo_qty": odoo_qty,
                    "variance_qty": variance,
                    "variance_value": variance * product.standard_price,
                    "classification": cls,
                }
            )
        self.env["hc.reconciliation.line"].create(vals)

    # ------------------------------------------------------------------ decision
    def action_propose(self):
        self.ensure_one()
        if not self.line_ids.filtered(lambda line: line.classification in ("over", "short")):
            raise UserError(_("Nothing to adjust: every line matches."))
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("healthcare_integration_base.group_hc_manager")
            or user.has_group("healthcare_integration_base.group_hc_approver")
        ):
            raise AccessError(_("Only an Integration Manager or an Exception Approver can propose an adjustment."))
        if self.state != "draft":
            raise UserError(_("Only a draft reconciliation can be proposed."))
        with trust.privileged():
            self.write({"state": "proposed", "proposed_by_id": self.env.uid})
        approver = self._adjustment_approver()  # four-eyes: never the proposer
        if not approver:
            self.message_post(
                body=_("Nobody but the proposer is an Exception Approver: add one to approve this adjustment.")
            )
            return
        self.sudo().approver_id = approver
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=approver.id,
            summary=_("Approve the stock adjustment of %s", self.name),
        )
        return True

    def action_approve(self, reason):
        """Apply the proposed adjustment through Odoo's inventory adjustment (approvers only)."""
        self._check_decider(reason)
        lines = self.line_ids.filtered(lambda line: line.classification in ("over", "short"))
        Quant = self.env["stock.quant"].sudo().with_context(inventory_mode=True)
        quants = Quant
        for line in lines:
            quant = Quant._gather(line.product_id, line.location_id, lot_id=line.lot_id or None, strict=True)[:1]
            if not quant:
                quant = Quant.create(
                    {
                        "product_id": line.product_id.id,
                        "location_id": line.location_id.id,
                        "lot_id": line.lot_id.id or False,
                    }
                )
            quant.inventory_quantity = line.external_qty
            quants |= quant
        quants.with_context(inventory_name=_("Reconciliation: %s", self.name)).action_apply_inventory()
        with trust.privileged():
            self.write({"state": "applied", "decided_by_id": self.env.uid, "decision_reason": reason.strip()})
        self.activity_ids.action_feedback(feedback=reason)

    def action_reject(self, reason):
        self._check_decider(reason)
        with trust.privileged():
            self.write({"state": "rejected", "decided_by_id": self.env.uid, "decision_reason": reason.strip()})
        self.activity_ids.action_feedback(feedback=reason)

    def _check_decider(self, reason):
        self.ensure_one()
        if not self.env.user.has_group("healthcare_integration_base.group_hc_approver"):
            raise AccessError(_("Only an Exception Approver can decide a stock adjustment."))
        if self.proposed_by_id == self.env.user:
            raise UserError(_("You cannot approve an adjustment you proposed."))
        if self.state != "proposed":
            raise UserError(_("Only a proposed adjustment can be decided."))
        if not (reason or "").strip():
            raise UserError(_("A decision needs a reason."))


class HcReconciliationLine(models.Model):
    _name = "hc.reconciliation.line"
    _description = "Stock Reconciliation Line"
    _order = "classification, location_id, product_id"

    run_id = fields.Many2one("hc.reconciliation.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    location_id = fields.Many2one("stock.location", required=True)
    product_id = fields.Many2one("product.product", required=True)
    lot_id = fields.Many2one("stock.lot")
    external_qty = fields.Float(digits="Product Unit of Measure")
    odoo_qty = fields.Float(digits="Product Unit of Measure", string="Odoo On Hand")
    variance_qty = fields.Float(digits="Product Unit of Measure", string="Variance")
    variance_value = fields.Float()
    classification = fields.Selection(
        [("match", "Match"), ("over", "Over"), ("short", "Short"), ("unknown_lot", "Unknown Lot")], index=True
    )

    def _check_run_draft(self):
        """What an approver approves is what was proposed: lines change only while the run is a draft."""
        if self.env.su or trust.is_privileged():
            return
        if any(state != "draft" for state in self.sudo().run_id.mapped("state")):
            raise UserError(_("The lines of a proposed or decided reconciliation cannot change."))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_run_draft()
        return lines

    def write(self, vals):
        self._check_run_draft()
        res = super().write(vals)
        self._check_run_draft()
        return res

    def unlink(self):
        self._check_run_draft()
        return super().unlink()
