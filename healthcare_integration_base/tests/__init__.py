from . import test_engine, test_outbound
