from . import (
    hc_endpoint,
    hc_endpoint_secret,
    hc_endpoint_stat,
    hc_exception,
    hc_idempotency_key,
    hc_inbound_message,
    hc_outbound_message,
    hc_team,
    res_config_settings,
)
