from . import hc_code_catalog
from . import hc_workforce_role
from . import hr_owned
from . import hc_processor_workforce
from . import res_config_settings
