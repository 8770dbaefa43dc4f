from . import test_backend_views, test_decision_routing, test_engine, test_outbound, test_ui_tour
