from . import (
    test_direct_posting,
    test_inventory_events,
    test_reconciliation_four_eyes,
    test_reports,
    test_ui_every_screen,
    test_ui_tour,
)
