"""A supplier connected by EDI: its endpoint, trading partner and a product it sells."""

from odoo.tests import TransactionCase, new_test_user


class EdiCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Sterile Supplies Ltd", "is_company": True})
        cls.endpoint = cls.env["hc.endpoint"].create(
            {"name": "Sterile Supplies EDI", "code": "sterile-edi", "outbound_url": "https://edi.example.test/in"}
        )
        cls.partner = cls.env["hc.trading.partner"].create(
            {
                "partner_id": cls.supplier.id,
                "endpoint_id": cls.endpoint.id,
                "document_format": "x12_4010",
                "interchange_qualifier": "ZZ",
                "interchange_id": "STERILESUP",
                "our_interchange_qualifier": "ZZ",
                "our_interchange_id": "GENHOSP",
                "functional_ack_sla_hours": 2,
                "ack_sla_hours": 24,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Heparin 5000 IU",
                "default_code": "HEP-5000",
                "barcode": "00312345678906",
                "is_storable": True,
                "seller_ids": [(0, 0, {"partner_id": cls.supplier.id, "product_code": "V-778", "price": 12.5})],
            }
        )
        cls.manager = new_test_user(cls.env, "edi_manager", groups="healthcare_integration_base.group_hc_manager")
        cls.clerk = new_test_user(cls.env, "edi_clerk", groups="purchase.group_purchase_user")
