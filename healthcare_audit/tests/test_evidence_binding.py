"""An evidence pack opens from the message or exception itself (Action menu), prefilled."""

from odoo.tests import TransactionCase
from odoo.tools.safe_eval import safe_eval


class TestEvidenceFromRecord(TransactionCase):
    def test_the_action_menu_of_messages_and_exceptions_offers_the_evidence_pack(self):
        for xmlid, model in (
            ("healthcare_audit.action_hc_audit_evidence_from_message", "hc.inbound.message"),
            ("healthcare_audit.action_hc_audit_evidence_from_exception", "hc.exception"),
        ):
            action = self.env.ref(xmlid)
            self.assertEqual(action.binding_model_id.model, model)
            self.assertEqual(action.res_model, "hc.audit.evidence.wizard")
            context = safe_eval(action.context, {"active_id": 42})
            self.assertEqual(context, {"default_model": model, "default_res_id": 42})
            wizard = self.env["hc.audit.evidence.wizard"].with_context(**context).create({})
            self.assertEqual((wizard.model, wizard.res_id), (model, 42))
            bound = self.env["ir.actions.actions"]._get_bindings(model)["action"]
            self.assertIn(action.id, [a["id"] for a in bound])
