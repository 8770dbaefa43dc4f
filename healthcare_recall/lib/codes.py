"""Error and signal codes of recalls and anomaly detection. No ORM."""

# business: an inventory event names a lot under an active (quarantined) recall
LOT_RECALLED = "lot_recalled"
# business: a recall notice names a product Odoo does not know
RECALL_ITEM_UNKNOWN = "recall_item_unknown"

# anomaly signals: hc.exception codes, one per kind
ANOMALY_CONSUMPTION = "anomaly_consumption"
ANOMALY_WASTE = "anomaly_waste"
ANOMALY_REVERSAL = "anomaly_reversal"
ANOMALY_OVERRIDE = "anomaly_override"
ANOMALY_COUNT = "anomaly_count"
ANOMALY_API_BURST = "anomaly_api_burst"
ANOMALY_KEY_REUSE = "anomaly_key_reuse"
ANOMALY_AUTH_FAILURES = "anomaly_auth_failures"
ANOMALY_CODES = (
    ANOMALY_CONSUMPTION,
    ANOMALY_WASTE,
    ANOMALY_REVERSAL,
    ANOMALY_OVERRIDE,
    ANOMALY_COUNT,
    ANOMALY_API_BURST,
    ANOMALY_KEY_REUSE,
    ANOMALY_AUTH_FAILURES,
)
