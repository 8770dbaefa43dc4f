"""The two developer commands, as a new user runs them."""

import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
import requests

from .conftest import REPO, free_port


@pytest.fixture(scope="module")
def python_without_odoo(tmp_path_factory):
    """A Python where `import odoo` fails: a fresh venv without the system's site-packages."""
    target = tmp_path_factory.mktemp("no-odoo") / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(target)
    python = target / "bin" / "python"
    assert subprocess.run([python, "-c", "import odoo"], capture_output=True).returncode != 0
    return python


@pytest.mark.parametrize("command", ["run", "test"])
def test_without_odoo_both_commands_explain_and_fail(command, python_without_odoo, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "HC_"))}
    env.update(HC_PYTHON=str(python_without_odoo), HC_HOME=str(tmp_path))
    res = subprocess.run([str(REPO / "hc"), command], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode != 0
    assert "Odoo 18 is not importable" in res.stderr
    assert "odoo.com/documentation/18.0" in res.stderr
    assert "without HC_PYTHON" in res.stderr, "HC_PYTHON names the Python: no bootstrap, but say it exists"
    assert "Traceback" not in res.stderr + res.stdout
    assert not list(tmp_path.iterdir()), "nothing is created before the checks pass"


def test_without_postgres_programs_run_explains_and_fails(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "HC_"))}
    env.update(HC_HOME=str(tmp_path), HC_PG_BINDIR=str(tmp_path / "nowhere"), HC_PYTHON=sys.executable)
    res = subprocess.run([str(REPO / "hc"), "run"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode != 0
    assert "PostgreSQL server programs" in res.stderr
    assert "apt-get install postgresql" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_doctor_says_what_was_found(tmp_path):
    import odoo
    from odoo import release

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "HC_"))}
    env.update(HC_HOME=str(tmp_path), HC_PYTHON=sys.executable)
    res = subprocess.run([str(REPO / "hc"), "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"Odoo {release.version}" in res.stdout and str(Path(odoo.__file__).parent) in res.stdout
    assert f"Python {sys.version.split()[0]}" in res.stdout
    assert "PostgreSQL" in res.stdout and "Chromium" in res.stdout and "wkhtmltopdf" in res.stdout
    from importlib.metadata import version

    assert f"standardwebhooks {version('standardwebhooks')}" in res.stdout, "packages are listed with versions"
    assert not list(tmp_path.iterdir()), "doctor only looks"


def test_doctor_names_what_is_missing_and_fails(python_without_odoo, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "HC_"))}
    env.update(HC_HOME=str(tmp_path), HC_PYTHON=str(python_without_odoo), HC_PG_BINDIR=str(tmp_path / "nowhere"))
    res = subprocess.run([str(REPO / "hc"), "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 1
    assert "Traceback" not in res.stdout + res.stderr
    lines = res.stdout.splitlines()
    odoo_line = next(i for i, line in enumerate(lines) if "MISSING  Odoo 18" in line)
    assert "./hc setup" in lines[odoo_line + 1], "each missing thing comes with its fix"
    pg_line = next(i for i, line in enumerate(lines) if "MISSING  PostgreSQL server programs" in line)
    assert "apt-get install postgresql" in lines[pg_line + 1]
    assert "jsonschema" in res.stdout and "pip install -r" in res.stdout, "missing packages and their fix"
    assert "Chromium" in res.stdout and "wkhtmltopdf" in res.stdout, "one missing thing does not stop the report"
    assert not list(tmp_path.iterdir()), "doctor only looks"


def test_run_serves_login_and_demo_data(tmp_path):
    """`./hc run` from scratch: embedded cluster, install, /web/login 200, demo data in the backend."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "HC_"))}
    env.update(HC_HOME=str(tmp_path), HC_PYTHON=sys.executable)
    proc = subprocess.Popen(
        [str(REPO / "hc"), "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = requests.get(f"{url}/web/login", timeout=5).status_code
                if status == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        if status != 200:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"./hc run did not serve /web/login: {proc.communicate()[0][-3000:]}")
        session = requests.Session()
        auth = session.post(
            f"{url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": "hc_demo", "login": "admin", "password": "admin"}},
            timeout=30,
        )
        assert auth.json()["result"]["uid"]

        def call(model, method, *args, **kwargs):
            resp = session.post(
                f"{url}/web/dataset/call_kw",
                json={
                    "jsonrpc": "2.0",
                    "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
                },
                timeout=30,
            )
            return resp.json()["result"]

        products = call("product.product", "search_read", [["default_code", "=", "NS-1000"]], fields=["tracking"])
        assert products and products[0]["tracking"] == "lot"
        assert call("stock.location", "search_count", [["barcode", "in", ["ICU-CAB-07", "OR-STORE-1"]]]) == 2
        lots = call("stock.lot", "search_read", [["name", "=", "L2411A"]], fields=["product_qty"])
        assert lots and lots[0]["product_qty"] > 0
        menus = call("ir.ui.menu", "search_read", [["name", "=", "Healthcare Integration"]], fields=["id"])
        assert menus, "the suite's top menu is visible to the admin"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert "login: admin" in out and "password: admin" in out, out[-2000:]
    pg = tmp_path / "run" / "pg"
    # as root, a folder the postgres user cannot enter (pytest's tmp is 0700) holds a pointer instead
    data = Path((pg / "WHERE").read_text().strip()) / "data" if (pg / "WHERE").exists() else pg / "data"
    assert (data / "PG_VERSION").exists(), "the embedded cluster was created"
    assert not (data / "postmaster.pid").exists(), "stopping run stops the cluster"
