from . import hc_code_catalog
from . import hr
from . import hc_budget
from . import hc_requisition
from . import stock
from . import hc_processor_requisition
from . import hc_replenishment
