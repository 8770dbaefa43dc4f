from . import hc_trading_partner
from . import hc_edi_uom_code
from . import hc_edi_control
from . import hc_edi_document
from . import purchase_order
from . import hc_processor_edi
from . import hc_outbound_message
from . import hc_code_catalog
