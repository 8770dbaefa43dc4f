"""The procurement EDI syntax layer (``healthcare_procurement_edi/lib``, plain Python, no Odoo)
loaded as a package for the suite-level HTTP tests: they write and read what a supplier's
system would, with the addon's own writers and readers."""

import importlib
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIB = REPO / "healthcare_procurement_edi" / "lib"


def load_lib(name="hc_edi_lib_under_test"):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, LIB / "__init__.py", submodule_search_locations=[str(LIB)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    for sub in ("errors", "model", "interchange", "outbound"):
        importlib.import_module(f"{name}.{sub}")
    return module
