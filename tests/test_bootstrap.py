"""`./hc` on a machine whose Python cannot import Odoo: it brings Odoo 18 into `.hc/venv` itself.

The Python here is a fresh virtualenv without Odoo, first on PATH as `python3` (no HC_PYTHON), as
on a machine with Python and nothing else.  The Odoo source is a trimmed copy of the Odoo 18
source this machine runs (setup.py, requirements.txt and the `odoo` package without its
addons: enough for pip and `import odoo`), served over http://127.0.0.1, zipped, or as a
folder.  To stay fast the bootstrap runs with HC_VENV_SYSTEM_SITE_PACKAGES=1, so Odoo's
requirements are found already installed in the machine's Python instead of being rebuilt;
the download, checksum, extraction, virtualenv and pip steps are the real ones.
"""

import hashlib
import os
import shutil
import subprocess
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO, free_port


def odoo_tree():
    import odoo

    return Path(odoo.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def odoo_source(tmp_path_factory):
    """A trimmed Odoo 18 source folder named like the nightly archive's top folder."""
    root = odoo_tree()
    from odoo import release

    target = tmp_path_factory.mktemp("odoo-source") / f"odoo-{release.major_version}.post-trimmed"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")

    def ignore(folder, names):
        dropped = set(skip(folder, names))
        if Path(folder) == root / "odoo" / "addons":  # the addons are most of the 1 GB: not needed here
            dropped |= {name for name in names if name != "__init__.py"}
        return dropped

    shutil.copytree(root / "odoo", target / "odoo", ignore=ignore)
    for name in ("setup.py", "setup.cfg", "requirements.txt", "odoo-bin", "MANIFEST.in", "LICENSE"):
        if (root / name).exists():
            shutil.copy2(root / name, target / name)
    (target / "setup").mkdir()
    shutil.copy2(root / "setup" / "odoo", target / "setup" / "odoo")  # setup.py installs this script
    return target


@pytest.fixture(scope="module")
def odoo_tarball(odoo_source):
    archive = odoo_source.parent / "odoo_18.0.latest.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        tar.add(odoo_source, arcname=odoo_source.name)
    return archive.read_bytes()


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory):
    """A folder for PATH whose `python3` is a Python without Odoo (a venv without site-packages)."""
    base = tmp_path_factory.mktemp("fresh-machine")
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(base / "venv")
    bindir = base / "bin"
    bindir.mkdir()
    shim = bindir / "python3"
    shim.write_text(f'#!/bin/sh\nexec "{base / "venv" / "bin" / "python"}" "$@"\n')
    shim.chmod(0o755)
    assert subprocess.run([shim, "-c", "import odoo"], capture_output=True).returncode != 0
    return bindir


def hc(command, bindir, home, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "HC_")) and k != "PYTHONPATH"}
    env.update(PATH=f"{bindir}:{os.environ['PATH']}", HC_HOME=str(home), HC_VENV_SYSTEM_SITE_PACKAGES="1", **extra)
    res = subprocess.run([str(REPO / "hc"), command], capture_output=True, text=True, env=env, timeout=600)
    assert "Traceback" not in res.stdout + res.stderr, res.stdout[-3000:] + res.stderr[-3000:]
    return res


def odoo_in_venv(home):
    """(major version, path of the odoo package) as the private venv's Python imports it."""
    python = home / "venv" / "bin" / "python"
    res = subprocess.run(
        [python, "-c", "import odoo, odoo.release as r; print(r.version_info[0], odoo.__file__)"],
        capture_output=True,
        text=True,
        cwd="/",
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    major, path = res.stdout.split()
    return int(major), Path(path).resolve()


def test_bootstrap_downloads_verifies_unpacks_and_installs_odoo(fresh_python, odoo_tarball, httpserver, tmp_path):
    path = "/18.0/nightly/src/odoo_18.0.latest.tar.gz"
    digest = hashlib.sha256(odoo_tarball).hexdigest()
    httpserver.expect_request(path).respond_with_data(odoo_tarball, content_type="application/gzip")
    httpserver.expect_request(f"{path}.sha256").respond_with_data(f"{digest}  odoo_18.0.latest.tar.gz\n")

    res = hc("setup", fresh_python, tmp_path, HC_ODOO_SOURCE=httpserver.url_for(path))
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert f"({len(odoo_tarball) / 1e6:.0f} MB)" in out or "kB)" in out, "the download says how big it is"
    assert "(100 %)" in out, "the download shows its progress"
    assert f"SHA-256 {digest} verified" in out
    assert "Successfully installed" in out, "pip's own output is shown"
    major, odoo_path = odoo_in_venv(tmp_path)
    assert major == 18
    assert odoo_path.is_relative_to(tmp_path / "odoo-src"), "the venv imports the Odoo that was downloaded"
    assert not list((tmp_path / "downloads").iterdir()), "the archive is removed once unpacked"
    # addons installed later as pip packages land in site-packages/odoo/addons: Odoo still imports
    site = next((tmp_path / "venv" / "lib").glob("python3*/site-packages"))
    (site / "odoo" / "addons").mkdir(parents=True)
    assert odoo_in_venv(tmp_path) == (major, odoo_path)

    # later runs reuse the venv: no download, no pip
    again = hc("setup", fresh_python, tmp_path, HC_ODOO_SOURCE=httpserver.url_for("/gone.tar.gz"))
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"using Odoo 18 from {tmp_path / 'venv'}" in again.stdout
    assert "downloading" not in again.stdout


def test_bootstrap_refuses_an_archive_with_a_wrong_checksum(fresh_python, odoo_tarball, httpserver, tmp_path):
    httpserver.expect_request("/odoo.tar.gz").respond_with_data(odoo_tarball, content_type="application/gzip")
    httpserver.expect_request("/odoo.tar.gz.sha256").respond_with_data("0" * 64 + "  odoo.tar.gz\n")
    res = hc("setup", fresh_python, tmp_path, HC_ODOO_SOURCE=httpserver.url_for("/odoo.tar.gz"))
    assert res.returncode != 0
    assert "refusing the Odoo archive" in res.stderr and hashlib.sha256(odoo_tarball).hexdigest() in res.stderr
    assert not (tmp_path / "venv").exists() and not (tmp_path / "odoo-src").exists(), "nothing was installed"
    assert not list((tmp_path / "downloads").iterdir()), "the refused file is deleted"

    # a checksum given in HC_ODOO_SHA256 wins over the published one, and is checked the same way
    res = hc(
        "setup",
        fresh_python,
        tmp_path,
        HC_ODOO_SOURCE=httpserver.url_for("/odoo.tar.gz"),
        HC_ODOO_SHA256="ab" * 32,
    )
    assert res.returncode != 0 and f"expected {'ab' * 32}" in res.stderr


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_bootstrap_from_a_local_source(form, fresh_python, odoo_source, tmp_path):
    if form == "folder":
        source = odoo_source
    else:
        source = tmp_path / "odoo-18.0.zip"
        with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for file in odoo_source.rglob("*"):
                zf.write(file, Path(odoo_source.name) / file.relative_to(odoo_source))
    home = tmp_path / "state"
    res = hc("setup", fresh_python, home, HC_ODOO_SOURCE=str(source))
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    major, odoo_path = odoo_in_venv(home)
    assert major == 18
    expected_root = odoo_source if form == "folder" else home / "odoo-src"
    assert odoo_path.is_relative_to(expected_root.resolve()), odoo_path
    assert "downloading" not in res.stdout


def test_bootstrap_without_network_says_so_in_one_sentence(fresh_python, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/odoo_18.0.latest.tar.gz"  # nothing listens there
    res = hc("setup", fresh_python, tmp_path, HC_ODOO_SOURCE=url)
    assert res.returncode != 0
    assert f"could not download Odoo 18 from {url}" in res.stderr
    assert "HC_ODOO_SOURCE" in res.stderr and "No network?" in res.stderr
    assert not (tmp_path / "venv").exists()
