from . import test_backend_views, test_engine, test_message_types, test_outbound, test_ui_tour
