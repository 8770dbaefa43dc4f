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
