# isort: skip_file
# order matters: the monitoring view (hc_endpoint_stat) reads the tables of the models above it
from . import (
    hc_cache,
    hc_team,
    hc_endpoint,
    hc_endpoint_credential,
    hc_endpoint_secret,
    hc_idempotency_key,
    hc_message_type,
    hc_message_processor,
    hc_inbound_message,
    hc_inbound_message_display,
    hc_exception,
    hc_exception_display,
    hc_code_catalog,
    hc_outbound_message,
    hc_event_subscription,
    hc_guard,
    hc_endpoint_stat,
    hc_endpoint_stat_display,
    hc_endpoint_failure,
    res_config_settings,
)
