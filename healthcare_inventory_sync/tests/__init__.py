from . import test_inventory_events, test_ui_tour
