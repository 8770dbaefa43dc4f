from . import test_anomaly, test_anomaly_api, test_lib_notice, test_recall
