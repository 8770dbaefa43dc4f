from . import test_order_evidence
