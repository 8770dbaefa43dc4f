"""Error codes of inventory processing (events-v1.md, "Error codes a sender can see"). No ORM.

Business codes wait for a person; technical codes are retried. Named here once, used everywhere.
"""

from odoo.addons.healthcare_integration_base.lib.errors import NO_HANDLER, SCHEMA_VIOLATION  # noqa: F401

# business: master data
ITEM_UNKNOWN = "item_unknown"
LOCATION_UNKNOWN = "location_unknown"
UOM_UNKNOWN = "uom_unknown"
UOM_INCOMPATIBLE = "uom_incompatible"
FHIR_UNMAPPABLE = "fhir_unmappable"
# business: GS1 data the sender got wrong (from lib/events and lib/gs1)
GTIN_CHECK_DIGIT = "gtin_check_digit"
GTIN_INVALID = "gtin_invalid"
GS1_UNPARSEABLE = "gs1_unparseable"
GS1_CONFLICT = "gs1_conflict"
# business: lots, serials, expiry
LOT_REQUIRED = "lot_required"
SERIAL_REQUIRED = "serial_required"
LOT_UNKNOWN = "lot_unknown"
LOT_EXPIRY_MISMATCH = "lot_expiry_mismatch"
LOT_EXPIRED = "lot_expired"
LOT_QUARANTINED = "lot_quarantined"
SERIAL_ALREADY_CONSUMED = "serial_already_consumed"
# business: stock and corrections
NEGATIVE_STOCK = "negative_stock"
REVERSAL_UNKNOWN = "reversal_unknown"
# technical (retried): a reversal waiting, within its window, for the event it reverses
REVERSAL_PENDING = "reversal_pending"
