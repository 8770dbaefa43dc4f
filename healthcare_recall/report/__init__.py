from . import hc_recall_report
