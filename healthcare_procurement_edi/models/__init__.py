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
