from . import test_recall_origin
