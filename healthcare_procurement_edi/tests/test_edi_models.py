"""Trading partners, control numbers, secrets, company rules and acknowledgment SLAs."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import EdiCase


class TestControlNumbers(EdiCase):
    def test_sequences_per_partner_and_kind(self):
        Control = self.env["hc.edi.control"]
        self.assertEqual(Control._next(self.partner.id, "isa"), [1], "a new partner starts at 1")
        self.assertEqual(Control._next(self.partner.id, "isa"), [2])
        self.assertEqual(Control._next(self.partner.id, "st", count=3), [1, 2, 3])
        # another kind and another partner count on their own
        other = self.partner.copy(
            {
                "endpoint_id": self.env["hc.endpoint"].create({"name": "o", "code": "o-edi"}).id,
                "partner_id": self.env["res.partner"].create({"name": "Other Supplier"}).id,
            }
        )
        self.assertEqual(Control._next(other.id, "isa"), [1])
        self.env.cr.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
            [f"hc_edi_ctl_{self.partner.id}_out_%"],
        )
        kinds = {r[0].rsplit("_", 1)[1] for r in self.env.cr.fetchall()}
        self.assertEqual(kinds, {"isa", "gs", "st", "unb", "unh", "doc"}, "created with the partner")

    def test_never_reused_after_rollback(self):
        Control = self.env["hc.edi.control"]
        before = Control._next(self.partner.id, "gs")[0]
        try:
            with self.env.cr.savepoint():
                taken = Control._next(self.partner.id, "gs")[0]
                raise RuntimeError("the document that took it is rolled back")
        except RuntimeError:
            pass
        after = Control._next(self.partner.id, "gs")[0]
        self.assertEqual(taken, before + 1)
        self.assertEqual(after, taken + 1, "the rolled-back number is not given again")
        self.assertEqual(Control._peek(self.partner.id, "gs"), after)


class TestPartnerSecrets(EdiCase):
    SECRET = "cxml-Shared-S3cret-4242"

    def test_shared_secret_encrypted_write_only(self):
        self.partner.with_user(self.manager).write({"cxml_shared_secret": self.SECRET})
        self.assertFalse(self.partner.cxml_shared_secret, "never read back")
        self.assertTrue(self.partner.cxml_shared_secret_set)
        stored = self.env["hc.edi.secret"].search([("trading_partner_id", "=", self.partner.id)])
        self.assertEqual(stored.kind, "cxml_shared_secret")
        self.assertNotIn(self.SECRET, stored.secret_encrypted)
        self.assertEqual(self.partner._get_secret("cxml_shared_secret"), self.SECRET)
        self.env.cr.execute(
            "SELECT count(*) FROM hc_trading_partner WHERE row_to_json(hc_trading_partner)::text LIKE %s",
            [f"%{self.SECRET}%"],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("SELECT count(*) FROM mail_message WHERE body LIKE %s", [f"%{self.SECRET}%"])
        self.assertEqual(self.env.cr.fetchone()[0], 0, "not in the chatter")
        # replaced, not piled up
        self.partner.with_user(self.manager).write({"cxml_shared_secret": "another-secret-value"})
        self.assertEqual(self.env["hc.edi.secret"].search_count([("trading_partner_id", "=", self.partner.id)]), 1)
        self.assertEqual(self.partner._get_secret("cxml_shared_secret"), "another-secret-value")

    def test_only_managers_set_and_nobody_reads_secrets(self):
        self.partner.with_user(self.manager).write({"sftp_password": "sftp-pass-1"})
        with self.assertRaises(AccessError):
            self.env["hc.edi.secret"].with_user(self.manager).search([])
        with self.assertRaises(AccessError):
            self.partner.with_user(self.clerk).write({"cxml_shared_secret": "x" * 12})
        self.assertEqual(self.partner.with_user(self.clerk).read(["sftp_password"])[0]["sftp_password"], False)


class TestCompanyRules(EdiCase):
    def test_other_company_partners_and_documents_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Hospital"})
        ep = self.env["hc.endpoint"].create(
            {"name": "other", "code": "other-co-edi", "company_id": other_company.id, "outbound_url": "https://x.test"}
        )
        theirs = self.env["hc.trading.partner"].create(
            {"partner_id": self.env["res.partner"].create({"name": "Their Supplier"}).id, "endpoint_id": ep.id}
        )
        self.assertEqual(theirs.company_id, other_company)
        doc = self.env["hc.edi.document"].create(
            {"trading_partner_id": theirs.id, "company_id": other_company.id, "direction": "in", "kind": "other"}
        )
        user = new_test_user(
            self.env,
            "edi_reader_main",
            groups="healthcare_integration_base.group_hc_user,purchase.group_purchase_user",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        Partner = self.env["hc.trading.partner"].with_user(user)
        self.assertIn(self.partner, Partner.search([]))
        self.assertNotIn(theirs, Partner.search([]))
        self.assertFalse(self.env["hc.edi.document"].with_user(user).search([("id", "=", doc.id)]))
        with self.assertRaises(AccessError):
            theirs.with_user(user).read(["interchange_id"])


class TestUnitCodes(EdiCase):
    def test_partner_code_over_format_over_standard(self):
        Codes = self.env["hc.edi.uom.code"]
        unit = self.env.ref("uom.product_uom_unit")
        dozen = self.env.ref("uom.product_uom_dozen")
        kg = self.env.ref("uom.product_uom_kgm")
        self.assertEqual(
            Codes._codes_for(self.partner, unit | dozen | kg), {unit.id: "EA", dozen.id: "DZ", kg.id: "KG"}
        )
        Codes.create({"uom_id": dozen.id, "code": "BX", "document_format": "x12_4010"})
        Codes.create({"uom_id": dozen.id, "code": "CA", "trading_partner_id": self.partner.id})
        self.assertEqual(Codes._codes_for(self.partner, dozen)[dozen.id], "CA")
        self.partner.document_format = "edifact_d96a"
        self.assertEqual(Codes._codes_for(self.partner, kg)[kg.id], "KGM")


class TestAcknowledgmentSla(EdiCase):
    def _sent_document(self, hours_ago=5):
        outbound = self.env["hc.outbound.message"].create(
            {
                "endpoint_id": self.endpoint.id,
                "message_type": "x12.850",
                "payload": "ISA*...",
                "content_type": "application/edi-x12",
            }
        )
        self.env.cr.execute(
            "UPDATE hc_outbound_message SET state = 'sent', sent_at = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(hours=hours_ago), outbound.id],
        )
        outbound.invalidate_recordset()
        return self.env["hc.edi.document"].create(
            {
                "trading_partner_id": self.partner.id,
                "company_id": self.env.company.id,
                "direction": "out",
                "kind": "order",
                "outbound_id": outbound.id,
                "interchange_control": "17",
                "group_control": "17",
                "set_controls": "17",
                "fa_status": "awaiting",
                "fa_deadline": fields.Datetime.now() - timedelta(hours=hours_ago - 2),
            }
        )

    def test_one_exception_per_overdue_document(self):
        late, late2 = self._sent_document(), self._sent_document()
        on_time = self._sent_document(hours_ago=1)
        on_time.fa_deadline = fields.Datetime.now() + timedelta(hours=1)
        Exc = self.env["hc.exception"]
        before = Exc.search_count([("code", "=", "edi_functional_ack_overdue")])
        self.env["hc.edi.document"]._cron_check_sla()
        self.env["hc.edi.document"]._cron_check_sla()  # again: nothing new
        raised = Exc.search([("code", "=", "edi_functional_ack_overdue")])
        self.assertEqual(len(raised) - before, 2)
        self.assertEqual(late.fa_status, "overdue")
        self.assertEqual(on_time.fa_status, "awaiting")
        self.assertEqual(late.exception_id.cause, f"edi_functional_ack_overdue:{late.id}")
        self.assertNotEqual(late.exception_id, late2.exception_id)
        self.assertEqual(late.exception_id.team_id, self.env.ref("healthcare_procurement_edi.hc_team_procurement"))
        self.assertTrue(self.env["hc.code.catalog"]._explanation("edi_functional_ack_overdue"))

    def test_order_acknowledgment_overdue(self):
        order = self.env["purchase.order"].create(
            {"partner_id": self.supplier.id, "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 3})]}
        )
        order.write({"edi_ack_state": "awaiting", "edi_ack_deadline": fields.Datetime.now() - timedelta(minutes=5)})
        self.env["hc.edi.document"]._cron_check_sla()
        self.env["hc.edi.document"]._cron_check_sla()
        excs = self.env["hc.exception"].search([("cause", "=", f"edi_order_ack_overdue:{order.id}")])
        self.assertEqual(len(excs), 1)
        self.assertEqual((excs.res_model, excs.res_id), ("purchase.order", order.id))
        self.assertEqual(order.edi_ack_state, "overdue")
