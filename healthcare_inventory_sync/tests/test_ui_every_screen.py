"""Every screen of the suite opens in a real browser without a client error.

Rendering views on the server (``get_views``) does not run the web client: a graph grouped
by an interval the client does not know, or a widget asking for an asset Odoo does not
ship, only fails in the browser. This test opens, in Chromium, every menu of every
installed suite addon, every view type of its action (list, kanban, graph, pivot, ...) and
one record's form, and fails on any error dialog, uncaught error, console error or resource
that did not load.
"""

import json

from odoo.tests import HttpCase, new_test_user, tagged

from .test_inventory_events import InventoryCase

SUITE_MODULES = (
    "healthcare_integration_base",
    "healthcare_audit",
    "healthcare_inventory_sync",
    "healthcare_procurement_edi",
    "healthcare_recall",
    "healthcare_workforce",
    "healthcare_requisition",
)
# the audit glue addons install themselves (auto_install) with the addons they join
GLUE_MODULES = (
    "healthcare_audit_inventory",
    "healthcare_audit_purchase",
    "healthcare_audit_recall",
    "healthcare_audit_workforce",
)
DRIVER = "@healthcare_integration_base/../tests/tours/hc_every_screen"


@tagged("post_install", "-at_install")
class TestEveryScreen(HttpCase, InventoryCase):
    allow_end_on_form = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_user = cls.env.ref("base.user_admin")
        cls.admin_user.write(
            {
                "groups_id": [
                    (4, cls.env.ref(f"healthcare_integration_base.group_hc_{role}").id)
                    for role in ("manager", "approver", "auditor")
                ]
            }
        )

    def _build_assets(self):
        """Build the web client's bundles before the browser asks for them: on a busy machine
        building them on the first page load outlasts the browser's readiness wait."""
        for name in ("web.assets_web", "web.assets_tests"):
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
            bundle.css()

    def _seed(self):
        """At least one record behind every screen: done and waiting messages, an exception,
        a reconciliation run, external counts, mappings, audit events and a seal."""
        done = self.send(self.event())
        waiting = self.send(self.event(lot="TL-OLD", expiry="2025-01-31", quantity=1))
        self.assertEqual((done.state, waiting.state), ("done", "failed"))
        self.send(self.event(item={"code": "NO-SUCH-ITEM"}))
        self.send(self.event(type="inventory.count", quantity=35))
        run = self.env["hc.reconciliation.run"].create({"name": "Cabinet T1 weekly", "endpoint_id": self.endpoint.id})
        run._set_lines([(self.cab, self.saline, self.lot, 35.0)])
        self.env["hc.item.mapping"].create(
            {"endpoint_id": self.endpoint.id, "external_code": "CAB-NS", "product_id": self.saline.id}
        )
        new_test_user(self.env, "hc_screen_reader", groups="healthcare_integration_base.group_hc_user")
        if "hc.recall" in self.env:  # healthcare_recall: a recall case and an anomaly signal with its series
            self.env["hc.recall"].create(
                {"product_id": self.saline.id, "lot_ids": [(6, 0, self.lot.ids)], "reason": "Particles (screen test)"}
            )
            signal = self.env["hc.exception"].create(
                {"name": "Unusual consumption: Saline T", "code": "anomaly_consumption", "cause": "anomaly:screens"}
            )
            self.env["hc.anomaly.point"].create(
                [
                    {"exception_id": signal.id, "day": f"2026-11-{d:02d}", "value": v, "baseline": 2.0}
                    for d, v in ((18, 2.0), (19, 3.0), (20, 25.0))
                ]
            )
        if "hc.audit.seal" in self.env:
            self.env["hc.audit.event"].seal_pending()
        self.env.flush_all()

    def _screens(self, user=None):
        """Every menu with an action of the installed suite addons that ``user`` (admin with
        every suite role by default) sees, as the driver wants them."""
        user = user or self.admin_user
        data = self.env["ir.model.data"].search([("model", "=", "ir.ui.menu"), ("module", "in", SUITE_MODULES)])
        menus = self.env["ir.ui.menu"].browse(data.mapped("res_id")).filtered("action")
        # what the web client loads for this user (a menu under a hidden parent is not reachable)
        visible = {key for key in self.env["ir.ui.menu"].with_user(user).load_menus(False) if isinstance(key, int)}
        screens = []
        for menu in menus.sorted(lambda m: m.complete_name):
            if user == self.admin_user:
                self.assertIn(menu.id, visible, f"admin with every suite role sees {menu.complete_name}")
            elif menu.id not in visible:
                continue
            action = menu.action
            screen = {"menu_id": menu.id, "path": menu.complete_name, "view_types": [], "target": "current"}
            if action._name == "ir.actions.act_window":
                model = self.env[action.res_model].with_user(user)
                screen.update(
                    view_types=action.view_mode.split(","),
                    target=action.target or "current",
                    expect_record=bool(model.search_count([], limit=1)),
                )
            screens.append(screen)
        return screens

    def test_every_screen_a_reader_and_an_auditor_see_opens_without_client_error(self):
        """Other roles see fewer menus and buttons; what they see must work for them too
        (an access error on a field or a button is a client error)."""
        self._seed()
        self._build_assets()
        for login, groups in (
            ("hc_screen_reader2", "base.group_user,healthcare_integration_base.group_hc_user"),
            ("hc_screen_auditor", "base.group_user,healthcare_integration_base.group_hc_auditor"),
        ):
            user = new_test_user(self.env, login, password=login, groups=groups)
            screens = self._screens(user)
            self.assertTrue(any(s["path"].endswith("Exceptions") for s in screens), login)
            self.browser_js(
                "/odoo",
                f"odoo.loader.modules.get({json.dumps(DRIVER)}).hcOpenEveryScreen({json.dumps(screens)})",
                "odoo.isReady === true",
                login=login,
                timeout=900,
            )

    def test_every_menu_and_view_opens_without_client_error(self):
        self._seed()
        screens = self._screens()
        installed = set(
            self.env["ir.module.module"]
            .search([("name", "in", SUITE_MODULES), ("state", "=", "installed")])
            .mapped("name")
        )
        covered = set(
            self.env["ir.model.data"]
            .search([("model", "=", "ir.ui.menu"), ("res_id", "in", [s["menu_id"] for s in screens])])
            .mapped("module")
        )
        # each installed addon that has screens is covered (procurement EDI has none with an action yet)
        for module in installed - {"healthcare_procurement_edi"}:
            self.assertIn(module, covered, f"the screens of {module} are opened")
        for name in (
            "Message Analysis",
            "Inbound Messages",
            "Exceptions",
            "Audit Trail",
            "Reconciliations",
            "Expiry Risk",
        ):
            self.assertTrue(any(s["path"].endswith(name) for s in screens), name)
        # the screens whose form we open have records to open
        by_path = {s["path"].rsplit("/", 1)[-1].strip(): s for s in screens}
        for name in ("Inbound Messages", "Exceptions", "Audit Trail", "Reconciliations", "Endpoints", "Teams"):
            self.assertTrue(by_path[name]["expect_record"], f"{name} has a record whose form is opened")
        self._build_assets()
        self.browser_js(
            "/odoo",
            f"odoo.loader.modules.get({json.dumps(DRIVER)}).hcOpenEveryScreen({json.dumps(screens)})",
            "odoo.isReady === true",
            login="admin",
            timeout=900,  # a fresh database builds its asset bundles first: slow on 2 cores
        )

    # ------------------------------------------------------------------ screens no menu leads to
    def _seed_extra(self):
        """A record behind every screen a button, a smart button or another app's form leads to:
        an EDI trading partner and an order confirmed to it (receipt), a vendor bill, a department
        and an employee, a requisition."""
        env = self.env
        supplier = env["res.partner"].create({"name": "Screens Supplier", "is_company": True})
        if "hc.trading.partner" in env:
            edi = env["hc.endpoint"].create(
                {"name": "Screens EDI", "code": "screens-edi", "outbound_url": "https://edi.example.test/in"}
            )
            env["hc.trading.partner"].create(
                {
                    "partner_id": supplier.id,
                    "endpoint_id": edi.id,
                    "document_format": "x12_4010",
                    "interchange_qualifier": "ZZ",
                    "interchange_id": "SCREENSUP",
                    "our_interchange_qualifier": "ZZ",
                    "our_interchange_id": "SCREENHOSP",
                }
            )
        if "purchase.order" in env:
            order = env["purchase.order"].create(
                {
                    "partner_id": supplier.id,
                    "order_line": [(0, 0, {"product_id": self.gauze.id, "product_qty": 5, "price_unit": 2.0})],
                }
            )
            order.button_confirm()
            env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": supplier.id,
                    "invoice_line_ids": [(0, 0, {"name": "Gauze", "quantity": 5, "price_unit": 2.0})],
                }
            )
        if "hr.employee" in env:
            dept = env["hr.department"].create({"name": "Screens Ward"})
            employee = env["hr.employee"].create({"name": "Screens Nurse", "department_id": dept.id})
            if "hc.requisition" in env:
                env["hc.requisition"].create(
                    {
                        "requester_id": employee.id,
                        "location_dest_id": self.cab.id,
                        "line_ids": [
                            (0, 0, {"product_id": self.gauze.id, "product_qty": 2, "product_uom_id": self.unit.id})
                        ],
                    }
                )
        env.flush_all()

    def _extra_screens(self):
        """What no menu opens: forms of other apps' models that suite views extend (one record
        each), window actions bound to a model's Action menu (with a record to act on) and the
        actions the suite's buttons return."""
        modules = (*SUITE_MODULES, *GLUE_MODULES)
        data = self.env["ir.model.data"].search([("module", "in", modules)])
        extras = []
        views = self.env["ir.ui.view"].browse(data.filtered(lambda d: d.model == "ir.ui.view").mapped("res_id"))
        extended = set(views.filtered(lambda v: v.type == "form" and v.inherit_id).mapped("model"))
        # every one, even when a menu lists the model: a menu's list may show none to open
        for model in sorted(extended):
            if self.env[model].is_transient():
                continue  # wizards: opened below by the buttons that open them
            record = self.env[model].search([], limit=1, order="id desc")
            self.assertTrue(record, f"a {model} record to open the suite's additions to its form")
            extras.append({"label": f"{model} form", "record": {"model": model, "id": record.id}})
        actions = self.env["ir.actions.act_window"].browse(
            data.filtered(lambda d: d.model == "ir.actions.act_window").mapped("res_id")
        )
        in_menus = set(self.env["ir.ui.menu"].search([("action", "like", "ir.actions.act_window,%")]).mapped("action"))
        for action in actions.filtered(lambda a: a not in in_menus and a.binding_model_id):
            model = action.binding_model_id.model
            record = self.env[model].search([], limit=1, order="id desc")
            self.assertTrue(record, f"a {model} record for {action.name}")
            extras.append(
                {
                    "label": f"{action.name} (Action menu of {model})",
                    "action": action.id,
                    "context": {"active_id": record.id, "active_ids": record.ids, "active_model": model},
                }
            )
        buttons = [
            ("hc.trading.partner", "action_open_documents"),
            ("hc.recall", "action_open_close_wizard"),
            ("hc.requisition", "action_open_decision_wizard"),
            ("hc.requisition", "action_view_pickings"),
            ("hc.requisition", "action_view_purchases"),
        ]
        for model, method in buttons:
            if model in self.env:
                record = self.env[model].search([], limit=1, order="id desc")
                self.assertTrue(record, f"a {model} record for {method}")
                extras.append(
                    {"label": f"{model}.{method}", "call": {"model": model, "method": method, "ids": record.ids}}
                )
        return extras

    def test_every_screen_no_menu_leads_to_opens_without_client_error(self):
        """Other apps' forms the suite extends (purchase order, receipt, bill, employee,
        department, warehouse, product category, ...), Action-menu bindings and the screens
        buttons open (wizards, smart buttons), each with every view type it offers."""
        self._seed()
        self._seed_extra()
        extras = self._extra_screens()
        labels = [e["label"] for e in extras]
        for expected in ("purchase.order form", "account.move form", "stock.picking form", "hr.employee form"):
            self.assertIn(expected, labels)
        self._build_assets()
        self.browser_js(
            "/odoo",
            f"odoo.loader.modules.get({json.dumps(DRIVER)}).hcOpenExtraScreens({json.dumps(extras)})",
            "odoo.isReady === true",
            login="admin",
            timeout=900,
        )
