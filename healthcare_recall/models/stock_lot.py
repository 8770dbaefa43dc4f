from odoo import api, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    # set by hc.recall.action_quarantine_all, cleared by action_close: never by a plain write
    hc_recall_id = fields.Many2one(
        "hc.recall",
        string="Active Recall",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The quarantined recall case holding this lot: its inventory events wait as 'lot_recalled'.",
    )

    @api.model
    def _hc_guarded_names(self):
        return super()._hc_guarded_names() | {"hc_recall_id"}
