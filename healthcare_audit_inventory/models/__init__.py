from . import hc_audit_evidence, stock_move
