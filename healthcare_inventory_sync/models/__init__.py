from . import (
    hc_mapping,
    hc_endpoint,
    product_product,
    stock_lot,
    stock_location,
    hc_stock_count,
    hc_inbound_message,
)
