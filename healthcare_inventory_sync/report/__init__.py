from . import hc_inventory_reports
