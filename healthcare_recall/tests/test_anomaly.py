"""Consumption anomaly: a 28-day baseline and a spike give exactly one signal, none without the
spike, none more on a second run; controlled substances use stricter thresholds."""

from datetime import date, timedelta

from odoo.addons.healthcare_inventory_sync.tests.test_inventory_events import InventoryCase

DAY = date(2026, 11, 20)


class TestConsumptionAnomaly(InventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stock.quant"]._update_available_quantity(cls.saline, cls.cab, 500, lot_id=cls.lot)
        cls.categ = cls.env["product.category"].create({"name": "Anomaly test category"})
        cls.saline.categ_id = cls.categ

    def feed(self, today_qty, baseline=(2, 3, 2, 4, 3, 2, 3)):
        events = []
        for back in range(28, 0, -1):
            day = DAY - timedelta(days=back)
            events.append(
                self.event(occurred_at=f"{day.isoformat()}T09:00:00Z", quantity=baseline[back % len(baseline)])
            )
        events.append(self.event(occurred_at=f"{DAY.isoformat()}T09:00:00Z", quantity=today_qty))
        messages = self.send(*events)
        self.assertEqual(set(messages.mapped("state")), {"done"}, messages.mapped("error_detail"))

    def signals(self):
        return self.env["hc.exception"].search(
            [("code", "=like", "anomaly_%"), ("res_model", "=", "stock.location"), ("res_id", "=", self.cab.id)]
        )

    def test_spike_gives_one_signal_with_figures_and_series(self):
        self.feed(today_qty=25)
        created = self.env["hc.anomaly.detector"]._detect(DAY)
        signals = self.signals()
        self.assertEqual(len(signals), 1, signals.mapped("name"))
        self.assertIn(signals, created)
        self.assertEqual(signals.code, "anomaly_consumption")
        self.assertIn("25", signals.detail)
        self.assertEqual(signals.team_id, self.env.ref("healthcare_inventory_sync.hc_team_pharmacy"))
        points = signals.hc_anomaly_point_ids.sorted("day")
        self.assertEqual(len(points), 29)
        self.assertEqual((points[-1].day, points[-1].value), (DAY, 25.0))
        self.assertAlmostEqual(points[0].baseline, sum(p.value for p in points[:-1]) / 28, places=4)
        self.assertIn("<svg", str(signals.hc_anomaly_chart))
        self.assertTrue(signals.activity_ids, "the owner team gets an activity")
        # a second run (the cron, or someone pressing Detect Now) adds nothing
        self.assertFalse(self.env["hc.anomaly.detector"]._detect(DAY) & self.signals())
        self.assertEqual(len(self.signals()), 1)

    def test_no_spike_no_signal(self):
        self.feed(today_qty=3)
        self.env["hc.anomaly.detector"]._detect(DAY)
        self.assertFalse(self.signals())

    def test_controlled_substances_are_stricter(self):
        self.feed(today_qty=8)  # 8 against about 2.7 a day: not enough for the default thresholds
        self.env["hc.anomaly.detector"]._detect(DAY)
        self.assertFalse(self.signals())
        self.categ.hc_controlled = True
        self.env["hc.anomaly.detector"]._detect(DAY)
        self.assertEqual(self.signals().code, "anomaly_consumption")

    def test_waste_share_signal(self):
        for back, kind in ((2, "inventory.waste"), (1, "inventory.waste"), (1, "inventory.consumption")):
            day = DAY - timedelta(days=back)
            self.send(self.event(type=kind, occurred_at=f"{day.isoformat()}T10:00:00Z", quantity=3))
        self.env["hc.anomaly.detector"]._detect(DAY)
        self.assertEqual(self.signals().mapped("code"), ["anomaly_waste"])

    def test_detect_now_is_for_managers_and_approvers(self):
        from odoo.exceptions import AccessError
        from odoo.tests import new_test_user

        clerk = new_test_user(self.env, login="anomaly-clerk", groups="base.group_user,stock.group_stock_user")
        with self.assertRaises(AccessError):
            self.env["hc.exception"].with_user(clerk).action_hc_detect_anomalies()
