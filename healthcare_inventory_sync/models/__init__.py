from . import (
    hc_endpoint,
    hc_event_accounting,
    hc_expiry_risk,
    hc_inbound_message,
    hc_mapping,
    hc_reconciliation,
    hc_reconciliation_display,
    hc_stock_count,
    product_product,
    stock_location,
    stock_lot,
    stock_move,
)
