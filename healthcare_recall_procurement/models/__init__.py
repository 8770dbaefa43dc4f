from . import hc_recall
