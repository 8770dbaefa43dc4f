from . import test_auditor_access
from . import test_edi_models
from . import test_edi_purchase
from . import test_edi_ack
from . import test_edi_asn
from . import test_edi_invoice
from . import test_edi_sla
from . import test_company_scope_probes
