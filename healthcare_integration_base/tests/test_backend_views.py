"""Every screen of the suite is reachable from its menu and renders for its users."""

from odoo.tests import TransactionCase, new_test_user


class TestBackendViews(TransactionCase):
    def test_every_menu_opens_a_view_that_renders(self):
        root = self.env.ref("healthcare_integration_base.menu_hc_root")
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id), ("action", "!=", False)])
        names = set(menus.mapped("name"))
        for expected in (
            "Inbound Messages",
            "Exceptions",
            "Endpoint Health",
            "Endpoints",
            "Outbound Deliveries",
            "Idempotency Ledger",
            "Message Analysis",
        ):
            self.assertIn(expected, names)
        for menu in menus:
            action = menu.action
            if action._name != "ir.actions.act_window":
                continue
            modes = [(False, mode) for mode in action.view_mode.split(",")]
            views = self.env[action.res_model].get_views(modes)
            self.assertTrue(views["views"], menu.name)

    def test_a_reader_sees_messages_but_cannot_configure(self):
        reader = new_test_user(self.env, "hc_view_reader", groups="healthcare_integration_base.group_hc_user")
        menus = self.env["ir.ui.menu"].with_user(reader)._visible_menu_ids()
        self.assertIn(self.env.ref("healthcare_integration_base.menu_hc_inbound_message").id, menus)
        self.assertNotIn(self.env.ref("healthcare_integration_base.menu_hc_config").id, menus)
        form = self.env["hc.inbound.message"].with_user(reader).get_views([(False, "form")])
        self.assertIn("payload_pretty", form["views"]["form"]["arch"], "the payload is shown formatted")
