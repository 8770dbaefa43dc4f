from . import hc_team
