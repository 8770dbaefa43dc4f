from . import test_inventory_events, test_reports, test_ui_tour
