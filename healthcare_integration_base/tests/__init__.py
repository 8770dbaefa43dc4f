from . import (
    test_auth_failure,
    test_backend_views,
    test_dashboard,
    test_decision_routing,
    test_engine,
    test_labels,
    test_message_types,
    test_outbound,
    test_ui_credential,
    test_ui_tour,
)
