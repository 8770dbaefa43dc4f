"""Screenshots of the main screens, for the addons' readme, taken from the running web client.

Every run checks that the screens render and can be captured. To refresh the images in the
addons' ``static/description/screenshots`` folders::

    HC_WRITE_SCREENSHOTS=1 ./hc test -- healthcare_inventory_sync/tests/test_screenshots.py
"""

import base64
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from .test_inventory_events import InventoryCase

DRIVER = "@healthcare_integration_base/../tests/tours/hc_screenshots"
ADDONS = Path(__file__).resolve().parents[2]


@tagged("post_install", "-at_install")
class TestScreenshots(HttpCase, InventoryCase):
    allow_end_on_form = True

    def _seed(self):
        heparin = self.env["product.product"].create(
            {
                "name": "Heparin 5000 IU",
                "default_code": "HEP-5000-T",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "standard_price": 4.2,
            }
        )
        lot = self.env["stock.lot"].create(
            {"name": "HEP-EXP-01", "product_id": heparin.id, "expiration_date": datetime(2025, 1, 31)}
        )
        self.env["stock.quant"]._update_available_quantity(heparin, self.cab, 5, lot_id=lot)
        self.send(self.event())
        pharmacist = new_test_user(
            self.env,
            "hc_shot_pharmacist",
            name="Paula Pharmacist",
            groups="stock.group_stock_user,healthcare_integration_base.group_hc_approver",
        )
        self.env.ref("healthcare_inventory_sync.hc_team_pharmacy").member_ids = [(6, 0, [pharmacist.id])]
        waiting = self.send(self.event(item={"code": "HEP-5000-T"}, lot="HEP-EXP-01", expiry="2025-01-31", quantity=2))
        self.send(self.event(item={"code": "CAB-UNMAPPED"}))
        self.send(self.event(type="inventory.count", quantity=37))
        proposer = new_test_user(
            self.env,
            "hc_shot_proposer",
            groups="healthcare_integration_base.group_hc_manager,healthcare_integration_base.group_hc_approver",
        )
        run = (
            self.env["hc.reconciliation.run"]
            .with_user(proposer)
            .create({"name": "ICU cabinet weekly count", "endpoint_id": self.endpoint.id})
        )
        run.action_load_counts()
        run.action_propose()
        admin = self.env.ref("base.user_admin")
        admin.groups_id = [(4, self.env.ref("healthcare_integration_base.group_hc_approver").id)]
        return waiting, run

    def test_main_screens_are_captured(self):
        waiting, run = self._seed()
        shots = [
            {
                "name": "healthcare_integration_base/exception_form",
                "action": "healthcare_integration_base.action_hc_exception",
                "view_type": "form",
                "res_id": waiting.exception_id.id,
                "wait_for": ".o_form_view .o_hc_effect",
            },
            {
                "name": "healthcare_integration_base/exceptions",
                "action": "healthcare_integration_base.action_hc_exception",
                "view_type": "list",
                "wait_for": ".o_list_view .o_data_row",
            },
            {
                "name": "healthcare_integration_base/inbound_messages",
                "action": "healthcare_integration_base.action_hc_inbound_message",
                "view_type": "list",
                "wait_for": ".o_list_view .o_data_row",
            },
            {
                "name": "healthcare_integration_base/message_form",
                "action": "healthcare_integration_base.action_hc_inbound_message",
                "view_type": "form",
                "res_id": waiting.id,
                "wait_for": ".o_form_view",
            },
            {
                "name": "healthcare_integration_base/endpoint_health",
                "action": "healthcare_integration_base.action_hc_endpoint_stat",
                "view_type": "kanban",
                "wait_for": ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)",
            },
            {
                "name": "healthcare_integration_base/failures_by_cause",
                "action": "healthcare_integration_base.action_hc_endpoint_failure",
                "view_type": "graph",
                "wait_for": ".o_graph_view .o_graph_canvas_container canvas",
            },
            {
                "name": "healthcare_inventory_sync/reconciliation",
                "action": "healthcare_inventory_sync.action_hc_reconciliation_run",
                "view_type": "form",
                "res_id": run.id,
                "wait_for": ".o_form_view",
            },
            {
                "name": "healthcare_inventory_sync/expiry_risk",
                "action": "healthcare_inventory_sync.action_hc_expiry_risk",
                "view_type": "list",
                "wait_for": ".o_list_view",
            },
        ]
        if "hc.audit.event" in self.env:
            shots.append(
                {
                    "name": "healthcare_audit/audit_trail",
                    "action": "healthcare_audit.action_hc_audit_event",
                    "view_type": "list",
                    "wait_for": ".o_list_view .o_data_row",
                }
            )
        if "healthcare_audit_inventory" in self.env.registry._init_modules:
            shots.append(
                {
                    "name": "healthcare_audit_inventory/evidence_pack",
                    "action": "healthcare_audit_inventory.action_hc_audit_evidence_from_lot",
                    "context": {"active_id": self.lot.id, "active_model": "stock.lot"},
                    "wait_for": ".modal .o_field_widget[name=record_label]",
                }
            )
        write = os.environ.get("HC_WRITE_SCREENSHOTS") == "1"
        out = ADDONS if write else Path(tempfile.mkdtemp(prefix="hc-shots-"))
        captured = {}
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, stackTrace=None, **kw):
            text = str(browser._from_remoteobject(args[0])) if args else ""
            if text.startswith("hc-screenshot:"):
                name = text.split(":", 1)[1]

                def save(future, name=name):
                    data = base64.b64decode(future.result()["data"])
                    addon, shot = name.split("/", 1)
                    path = out / addon / "static" / "description" / "screenshots" / f"{shot}.png"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                    captured[name] = path
                    browser._websocket_send("Runtime.evaluate", params={"expression": "window.hcShotDone = true"})

                browser._websocket_send("Page.captureScreenshot", with_future=True).add_done_callback(save)
                return None
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        for name in ("web.assets_web", "web.assets_tests"):  # built before the browser asks (slow machines)
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
            bundle.css()
        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            self.browser_js(
                "/odoo",
                f"odoo.loader.modules.get({json.dumps(DRIVER)}).hcTakeScreenshots({json.dumps(shots)})",
                "odoo.isReady === true",
                login="admin",
                timeout=600,
            )
        self.assertEqual(set(captured), {s["name"] for s in shots})
        for path in captured.values():
            content = path.read_bytes()
            self.assertTrue(content.startswith(b"\x89PNG") and len(content) > 10_000, path)
