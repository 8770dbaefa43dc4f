from . import test_inventory_events
