from odoo import api, models


class ReportHcRecall(models.AbstractModel):
    _name = "report.healthcare_recall.report_hc_recall"
    _description = "Recall Trace Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        recalls = self.env["hc.recall"].browse(docids).exists()
        recalls.check_access("read")
        return {
            "doc_ids": recalls.ids,
            "doc_model": "hc.recall",
            "docs": recalls,
            "traces": {rec.id: rec.sudo()._trace_for_people() for rec in recalls},
        }
