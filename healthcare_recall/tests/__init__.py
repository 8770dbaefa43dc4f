from . import test_anomaly, test_recall
