from . import test_evidence_from_documents, test_inventory_webhook
