from . import (
    hc_budget,
    hc_code_catalog,
    hc_processor_requisition,
    hc_replenishment,
    hc_requisition,
    hc_requisition_guard,
    hr,
    stock,
)
