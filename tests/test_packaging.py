"""The addons as pip packages (whool, one pyproject.toml per addon, as OCA's 18.0 branches).

Builds the suite's wheels, installs them into a virtualenv that has Odoo (the machine's Odoo and
its requirements through --system-site-packages, nothing from the package index), and installs
the modules into a fresh database with an addons_path that does not contain this repository:
Odoo finds them in the venv's site-packages alone.
"""

import configparser
import os
import subprocess
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

from .conftest import REPO

ADDONS = [
    "healthcare_integration_base",
    "healthcare_audit",
    "healthcare_inventory_sync",
    "healthcare_procurement_edi",
    "healthcare_recall",
    "healthcare_workforce",
    "healthcare_requisition",
    # the auto_install glue modules between them
    "healthcare_audit_inventory",
    "healthcare_audit_purchase",
    "healthcare_audit_procurement_edi",
    "healthcare_inventory_account",
    "healthcare_audit_recall",
    "healthcare_recall_procurement",
    "healthcare_audit_workforce",
]


def run(cmd, **kw):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, check=False, **kw)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res.stdout


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(zf.read(name).decode())


def test_wheels_install_the_suite_into_a_fresh_database(e2e_env, tmp_path):
    import hc

    python = tmp_path / "venv" / "bin" / "python"
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(tmp_path / "venv")
    # whool is the build backend; installed once so the builds share it (pip's cache keeps it)
    run([python, "-m", "pip", "install", "-q", "whool"])
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    # Odoo on the venv's path as a plain path entry, as a regular or a compat-mode editable install
    # (`pip install -e --config-settings editable_mode=compat`) provides it: the machine's Odoo may be
    # a default-mode editable install, imported through a hook that site-packages/odoo/ would hide
    import odoo

    (site / "hc-odoo-source.pth").write_text(f"{Path(odoo.__file__).resolve().parent.parent}\n")
    dist = tmp_path / "dist"
    run(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist]
        + [REPO / addon for addon in ADDONS]
    )
    wheels = {wheel_metadata(w)["Name"]: w for w in dist.glob("*.whl")}
    assert sorted(wheels) == sorted(f"odoo-addon-{addon}" for addon in ADDONS)

    # names, versions and dependencies come from the manifests
    meta = {name: wheel_metadata(w) for name, w in wheels.items()}
    for md in meta.values():
        assert md["Version"].startswith("18.0."), md["Version"]
        assert "odoo==18.0.*" in md.get_all("Requires-Dist")
    requires = {name: set(md.get_all("Requires-Dist")) for name, md in meta.items()}
    assert "odoo-addon-healthcare_integration_base==18.0.*" in requires["odoo-addon-healthcare_audit"]
    assert "odoo-addon-healthcare_inventory_sync==18.0.*" in requires["odoo-addon-healthcare_procurement_edi"]
    assert {"standardwebhooks", "fastjsonschema", "cryptography"} <= requires["odoo-addon-healthcare_integration_base"]
    assert "biip" in requires["odoo-addon-healthcare_inventory_sync"]

    # install from the wheels alone: every other requirement must already be met (no index)
    run([python, "-m", "pip", "install", "-q", "--no-index", "--find-links", dist, *wheels])
    for addon in ADDONS:
        assert (site / "odoo" / "addons" / addon / "__manifest__.py").is_file()

    # an Odoo configuration whose addons_path has Odoo's own addons only
    cfg = configparser.ConfigParser()
    cfg.read(e2e_env["conf"])
    opts = cfg["options"]
    core_paths = [p for p in opts["addons_path"].split(",") if not Path(p).resolve().is_relative_to(REPO)]
    assert core_paths and str(REPO) not in core_paths
    opts["addons_path"] = ",".join(core_paths)
    opts["data_dir"] = str(tmp_path / "odoo-data")
    conf = tmp_path / "odoo.conf"
    with conf.open("w") as fh:
        cfg.write(fh)

    where = run(
        [
            python,
            "-c",
            "import sys, odoo; from odoo.tools import config; config.parse_config(['-c', sys.argv[1]]);"
            "from odoo.modules.module import get_module_path;"
            f"print('\\n'.join(get_module_path(m) for m in {ADDONS!r}))",
            conf,
        ],
        cwd="/",
    ).split()
    assert [Path(p).resolve() for p in where] == [(site / "odoo" / "addons" / a).resolve() for a in ADDONS]

    db_opts = {key: opts.get(key, "") for key in ("db_host", "db_port", "db_user", "db_password")}
    db = f"hc_wheels_{os.getpid()}"
    try:
        run(
            [
                python,
                "-m",
                "odoo",
                "-c",
                conf,
                "-d",
                db,
                "-i",
                ",".join(ADDONS),
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            ],
            cwd="/",
            timeout=900,
        )
        conn = hc.pg_connect(db_opts, db)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", (ADDONS,))
                states = dict(cr.fetchall())
                cr.execute("SELECT count(*) FROM ir_model WHERE model LIKE 'hc.%%'")
                hc_models = cr.fetchone()[0]
        finally:
            conn.close()
        assert states == dict.fromkeys(ADDONS, "installed")
        assert hc_models > 10, "the suite's models exist in the new database"
    finally:
        hc.drop_db(db_opts, db)
