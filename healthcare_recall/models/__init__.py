from . import (
    hc_anomaly,
    hc_code_catalog,
    hc_processor_inventory,
    hc_processor_recall,
    hc_recall,
    hc_recall_close_wizard,
    product_category,
    stock_lot,
    stock_move,
    stock_warehouse,
)
