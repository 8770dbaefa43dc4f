from . import test_purchase_trail
