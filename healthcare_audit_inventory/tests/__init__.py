from . import test_inventory_webhook
from . import test_evidence_from_documents
