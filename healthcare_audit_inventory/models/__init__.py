from . import stock_move
from . import hc_audit_evidence
