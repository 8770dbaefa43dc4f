from . import hc_code_catalog, hc_processor_workforce, hc_workforce_role, hr_owned, res_config_settings
