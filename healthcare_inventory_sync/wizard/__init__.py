from . import hc_lot_quarantine_wizard
