from . import test_engine, test_outbound, test_ui_tour
