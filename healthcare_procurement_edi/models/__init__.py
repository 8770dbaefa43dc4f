from . import (
    hc_code_catalog,
    hc_edi_control,
    hc_edi_document,
    hc_edi_uom_code,
    hc_outbound_message,
    hc_processor_edi,
    hc_trading_partner,
    purchase_order,
)

# procurement EDI part 2 (acknowledgments, ship notices, invoices, SLAs): after part 1's models
from . import hc_edi_flow  # noqa: I001
from . import hc_edi_uom
from . import hc_edi_ack
from . import hc_edi_asn
from . import hc_edi_invoice
from . import hc_processor_edi_flow
from . import hc_code_catalog_flow
from . import hc_supplier_scorecard
from . import hc_supplier_scorecard_report
from . import hc_procurement_guard
