from . import test_anomaly, test_lib_notice, test_recall
