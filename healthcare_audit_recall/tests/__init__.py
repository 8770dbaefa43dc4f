from . import test_recall_trail
