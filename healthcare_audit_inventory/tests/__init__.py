from . import test_inventory_webhook
