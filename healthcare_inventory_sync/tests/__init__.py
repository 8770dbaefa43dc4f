from . import (
    test_direct_posting,
    test_display,
    test_event_display,
    test_inventory_events,
    test_lot_event_company,
    test_reconciliation_four_eyes,
    test_reports,
    test_screenshots,
    test_ui_every_screen,
    test_ui_people_tours,
    test_ui_tour,
)
