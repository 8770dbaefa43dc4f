#!/usr/bin/env python3
"""Developer commands of the healthcare integration suite.

    ./hc run   start Odoo 18 with the suite and its demo data on http://localhost:8069
    ./hc test  create a throwaway database, install the suite, run every test
    ./hc doctor   say what was found and what is missing, with the command that fixes each
    ./hc setup    only bring Odoo 18 into .hc/venv (run and test do it when Odoo is missing)

Both use an embedded, private PostgreSQL cluster unless a server is configured through
the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD).  Nothing here imports
Odoo at module level: when Odoo is missing we say so instead of printing a traceback.
"""

import argparse
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("HC_HOME") or (REPO / ".hc"))
SUITE_MODULES = [
    "healthcare_integration_base",
    "healthcare_audit",
    "healthcare_inventory_sync",
    "healthcare_procurement_edi",
    "healthcare_recall",
    "healthcare_recall_procurement",
    "healthcare_workforce",
    "healthcare_requisition",
    "healthcare_audit_procurement_edi",
]
DEMO_MODULE = "healthcare_integration_demo"
PG_VARS = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSERVICE")
DB_SUPERUSER = "odoo"  # Odoo refuses to run as the 'postgres' role
# Python packages the addons and tests need besides Odoo: import name -> distribution
PY_REQUIREMENTS = {
    "pytest": "pytest",
    "pytest_odoo": "pytest-odoo",
    "pytest_httpserver": "pytest-httpserver",
    "websocket": "websocket-client",
    "jsonschema": "jsonschema",
    "fastjsonschema": "fastjsonschema",
    "standardwebhooks": "standardwebhooks",
    "biip": "biip",
    "pydifact": "pydifact",
    "paramiko": "paramiko",
    "hypothesis": "hypothesis",
}

ODOO_MISSING = """\
hc: Odoo 18 is not importable by {python} ({reason}).

HC_PYTHON names the Python to use, so ./hc does not set Odoo up by itself: install Odoo 18.0
(Community) into that Python the official way,

    https://www.odoo.com/documentation/18.0/administration/on_premise/source.html

or run ./hc without HC_PYTHON: it then brings Odoo 18 into .hc/venv by itself.
Check with:  {python} -c "import odoo.release; print(odoo.release.version)"
"""

PG_MISSING = """\
hc: PostgreSQL server programs (initdb, pg_ctl, postgres) were not found.

With no PostgreSQL configured (no PGHOST/PGPORT/... in the environment), ./hc starts a
private throwaway cluster and needs the server programs:

    Debian/Ubuntu:  sudo apt-get install postgresql        (Debian 12: postgresql-15)
    Fedora/RHEL:    sudo dnf install postgresql-server

or point ./hc at an existing server:  PGHOST=... PGPORT=5432 PGUSER=... PGPASSWORD=... ./hc {cmd}
(Looked in: $HC_PG_BINDIR, `pg_config --bindir`, PATH, /usr/lib/postgresql/*/bin.)
"""


def say(msg=""):
    print(msg, flush=True)


def die(msg, code=2):
    sys.stderr.write(msg if msg.endswith("\n") else msg + "\n")
    sys.stderr.flush()
    sys.exit(code)


# --------------------------------------------------------------------------- checks
def odoo_problem():
    """None when Odoo 18 is importable by this Python, else why not (one short phrase)."""
    try:
        if importlib.util.find_spec("odoo") is None:
            return "no module named 'odoo'"
        from odoo import release

        if release.version_info[0] != 18:
            return f"found Odoo {release.version}, need 18.0"
    except Exception as exc:  # a broken install must still give a message
        return f"importing it failed: {type(exc).__name__}: {exc}"
    return None


def check_odoo():
    """Return the version of the importable Odoo or stop with instructions."""
    reason = odoo_problem()
    if reason:
        die(ODOO_MISSING.format(python=sys.executable, reason=reason))
    from odoo import release

    return release.version


# --------------------------------------------------------------------------- bootstrap
# When Odoo 18 is not importable (and HC_PYTHON does not name a Python), ./hc sets up a private
# virtualenv in .hc/venv with Odoo 18.0 Community and the suite's requirements, then re-runs
# itself with that venv's Python.  Later runs find the venv and go straight to it.
ODOO_OFFICIAL_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
# Debian packages Odoo's requirements need to build from source (python-ldap, psycopg2, ...)
BUILD_PACKAGES = ["build-essential", "python3-dev", "libpq-dev", "libldap2-dev", "libsasl2-dev"]
VENV_MARKER = "hc-odoo.txt"  # written once the venv is complete


def venv_dir():
    return STATE / "venv"


def venv_python():
    return venv_dir() / "bin" / "python"


def venv_odoo(python):
    """(version, path) of the Odoo 18 importable by `python`, or None."""
    if not Path(python).exists():
        return None
    code = "import odoo.release as r, odoo; print(r.version_info[0], r.version, odoo.__file__, sep='|')"
    res = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False, cwd="/")
    parts = res.stdout.strip().split("|")
    if res.returncode != 0 or len(parts) != 3 or parts[0] != "18":
        return None
    return parts[1], parts[2]


def running_in_venv():
    return Path(sys.prefix).resolve() == venv_dir().resolve()


def reexec_in_venv():
    python = venv_python()
    say(f"hc: using Odoo 18 from {venv_dir()}")
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def ensure_odoo(bootstrap=True):
    """Make sure we run with a Python that imports Odoo 18; set one up in .hc/venv if needed.

    Returns None when this Python has Odoo 18, else the reason (only when bootstrap is False);
    otherwise re-executes ./hc with the venv's Python, or stops with one clear sentence.
    """
    reason = odoo_problem()
    if reason is None:
        return None
    if os.environ.get("HC_PYTHON"):  # the user chose the interpreter: say what it lacks
        if not bootstrap:
            return reason
        die(ODOO_MISSING.format(python=sys.executable, reason=reason))
    if not running_in_venv() and (venv_dir() / VENV_MARKER).exists() and venv_odoo(venv_python()):
        reexec_in_venv()
    if not bootstrap:
        return reason
    if running_in_venv():
        die(f"hc: {venv_dir()} does not import Odoo 18 ({reason}); delete it and run ./hc again.")
    bootstrap_odoo(reason)
    reexec_in_venv()
    return None


def human_size(n):
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def odoo_release_of(src):
    """The (major, version) an Odoo source tree declares in odoo/release.py."""
    scope = {}
    exec((Path(src) / "odoo" / "release.py").read_text(), scope)  # Odoo's setup.py reads it the same way
    return scope["version_info"][0], scope["version"]


def find_source_root(folder):
    """The folder holding setup.py and odoo/release.py: the folder itself or its only child."""
    folder = Path(folder)
    for cand in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if (cand / "odoo" / "release.py").is_file() and (cand / "setup.py").is_file():
            return cand
    return None


def download(url, target):
    """Fetch url into target with a progress line; return the SHA-256 of what was received."""
    import hashlib
    import urllib.error
    import urllib.request

    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(target, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            say(f"hc: downloading {url} ({human_size(total) if total else 'size unknown'}) ...")
            done, shown, tty = 0, -1, sys.stdout.isatty()
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                pct = int(done * 100 / total) if total else -1
                step = pct if tty else pct // 10
                if total and step != shown:
                    shown = step
                    line = f"hc:   {human_size(done)} of {human_size(total)} ({pct} %)"
                    print(f"\r{line}" if tty else line, end="" if tty else "\n", flush=True)
            if tty and total:
                print(flush=True)
            if total and done != total:
                raise OSError(f"the connection closed after {done} of {total} bytes")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        Path(target).unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        die(
            f"hc: could not download Odoo 18 from {url} ({reason}). No network? Set HC_ODOO_SOURCE to a "
            "local Odoo 18 source folder or .tar.gz/.zip archive (or to another URL of one) and run again."
        )
    return digest.hexdigest()


def published_checksum(url):
    """The SHA-256 published beside an archive as <url>.sha256, or None when there is none."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}.sha256", timeout=30) as resp:
            text = resp.read(4096).decode("ascii", "replace").split()
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return text[0].lower() if text else None


def file_sha256(path):
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksum(archive, actual, expected, origin, unverified_because=""):
    if not expected:
        say(f"hc: SHA-256 {actual} (not verified: {unverified_because}; pin one with HC_ODOO_SHA256)")
        return
    if actual != expected.lower():
        Path(archive).unlink(missing_ok=True)
        die(
            f"hc: refusing the Odoo archive {origin}: its SHA-256 is {actual}, expected {expected.lower()} "
            "(the file was deleted; nothing was installed)."
        )
    say(f"hc: SHA-256 {actual} verified")


def extract(archive, target):
    """Unpack a .tar.gz/.zip of an Odoo source tree into target; return the source root."""
    import tarfile
    import zipfile

    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    say(f"hc: unpacking {Path(archive).name} ...")
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                for name in zf.namelist():
                    if name.startswith("/") or ".." in Path(name).parts:
                        raise ValueError(f"unsafe path in archive: {name}")
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(tmp, filter="data")
                else:  # Python < 3.10.12/3.11.4: check the paths ourselves
                    for member in tf.getmembers():
                        if member.name.startswith("/") or ".." in Path(member.name).parts:
                            raise ValueError(f"unsafe path in archive: {member.name}")
                    tf.extractall(tmp)
    except (tarfile.TarError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        die(f"hc: could not unpack {archive} as a .tar.gz or .zip of Odoo 18's source ({exc}).")
    tmp.rename(target)
    return find_source_root(target)


def odoo_source():
    """Where the Odoo 18 source comes from: HC_ODOO_SOURCE, else Odoo's official nightly archive."""
    spec = os.environ.get("HC_ODOO_SOURCE", "").strip()
    expected = os.environ.get("HC_ODOO_SHA256", "").strip() or None
    downloads = STATE / "downloads"
    if spec and not spec.startswith(("http://", "https://")):
        path = Path(spec).expanduser().resolve()
        if path.is_dir():
            root = find_source_root(path)
            if not root:
                die(f"hc: HC_ODOO_SOURCE={spec} is a folder without Odoo's setup.py and odoo/release.py.")
            say(f"hc: Odoo source: the folder {root} (HC_ODOO_SOURCE; installed in place, editable)")
            return root
        if not path.is_file():
            die(f"hc: HC_ODOO_SOURCE={spec} is neither a folder, an archive nor an http(s) URL.")
        say(f"hc: Odoo source: the archive {path} ({human_size(path.stat().st_size)}, HC_ODOO_SOURCE)")
        verify_checksum(path, file_sha256(path), expected, str(path), "no HC_ODOO_SHA256 given")
        return extract(path, STATE / "odoo-src")
    url = spec or ODOO_OFFICIAL_URL
    say(f"hc: Odoo source: {url}" + (" (HC_ODOO_SOURCE)" if spec else " (Odoo's official 18.0 nightly source archive)"))
    downloads.mkdir(parents=True, exist_ok=True)
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "odoo-source"
    archive = downloads / name
    origin = url
    if not expected:
        expected = published_checksum(url)
        if expected:
            origin = f"{url}.sha256"
    actual = download(url, archive)
    verify_checksum(archive, actual, expected, origin, f"{url.split('/')[2]} publishes no checksum beside it")
    root = extract(archive, STATE / "odoo-src")
    archive.unlink(missing_ok=True)
    return root


def missing_build_packages():
    """The Debian packages of BUILD_PACKAGES that are not installed (empty list off Debian)."""
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for pkg in BUILD_PACKAGES:
        res = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True, check=False)
        if "install ok installed" not in res.stdout:
            missing.append(pkg)
    return missing


def ensure_build_packages():
    missing = missing_build_packages()
    if not missing:
        return []
    if apt_install(" ".join(missing), "building Odoo's requirements (python-ldap, psycopg2, ...)"):
        missing = missing_build_packages()
    if missing:
        say(
            f"hc: Odoo's requirements build against system libraries that are missing: {' '.join(missing)}\n"
            f"    install them first:  sudo apt-get install {' '.join(missing)}"
        )
    return missing


def bootstrap_odoo(reason):
    """Create .hc/venv with Odoo 18.0 Community and the suite's requirements (first run only)."""
    target = venv_dir()
    say(
        f"hc: Odoo 18 is not importable by {sys.executable} ({reason}).\n"
        f"hc: setting up a private environment in {target} with Odoo 18.0 Community and the suite's\n"
        "    requirements. First time only: about 300 MB to download, then several minutes of pip building\n"
        "    Odoo's requirements (less with a warm pip cache); later runs reuse it (delete it to start afresh)."
    )
    if not ((3, 10) <= sys.version_info[:2] <= (3, 12)):
        die(
            f"hc: Odoo 18 supports Python 3.10 to 3.12 and this is {sys.version.split()[0]}: "
            "run ./hc with HC_PYTHON=/path/to/python3.12 (or 3.10, 3.11)."
        )
    STATE.mkdir(parents=True, exist_ok=True)
    source = odoo_source()
    if source is None:
        die("hc: the Odoo archive holds no Odoo source tree (no setup.py next to odoo/release.py).")
    try:
        major, version = odoo_release_of(source)
    except Exception as exc:
        die(f"hc: could not read odoo/release.py in {source} ({type(exc).__name__}: {exc}).")
    if major != 18:
        die(f"hc: the Odoo source in {source} is Odoo {version}; the suite needs 18.0.")
    say(f"hc: Odoo {version} source in {source}")
    missing_libs = ensure_build_packages()

    shutil.rmtree(target, ignore_errors=True)
    system_site = os.environ.get("HC_VENV_SYSTEM_SITE_PACKAGES", "") not in ("", "0")
    say(
        f"hc: creating the virtualenv {target}"
        + (" (with the system's site-packages: HC_VENV_SYSTEM_SITE_PACKAGES)" if system_site else "")
    )
    res = subprocess.run(
        [sys.executable, "-m", "venv", *(["--system-site-packages"] if system_site else []), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        die(
            f"hc: could not create a virtualenv with {sys.executable} ({(res.stderr or res.stdout).strip()[-300:]}). "
            "Debian/Ubuntu: sudo apt-get install python3-venv"
        )
    constraint = STATE / "pip-constraints.txt"
    # Odoo 18 pins old releases that only ship source distributions; their setup.py needs
    # setuptools < 81 (pkg_resources), in pip's isolated build environments too
    constraint.write_text("setuptools<81\n")
    env = dict(os.environ, PIP_CONSTRAINT=str(constraint))
    env.pop("PYTHONPATH", None)
    say("hc: pip installs Odoo's requirements (requirements.txt of the source) and the suite's; its progress follows")
    start = time.monotonic()
    pip = [str(venv_python()), "-m", "pip", "install", "--progress-bar", "on"]
    steps = [
        [*pip, "-r", str(source / "requirements.txt"), "-r", str(REPO / "requirements.txt")],
        # Odoo itself, editable in "compat" mode: a plain path entry. setuptools' default editable
        # mode imports Odoo through a hook that an odoo/ folder in site-packages (where addons
        # installed as pip packages land) would hide
        [*pip, "--no-deps", "-e", str(source), "--config-settings", "editable_mode=compat"],
    ]
    for step in steps:
        res = subprocess.run(step, env=env, check=False, cwd="/")
        if res.returncode != 0:
            hint = (
                f" First install the missing system packages: sudo apt-get install {' '.join(missing_libs)}."
                if missing_libs
                else ""
            )
            die(
                f"hc: pip could not install Odoo 18 and its requirements into {target} (exit {res.returncode}, "
                f"see pip's output above; it needs the package index, or its cache, for what is not installed).{hint} "
                "Then run ./hc again."
            )
    found = venv_odoo(venv_python())
    if not found:
        die(f"hc: Odoo was installed into {target} but does not import there; delete the folder and run ./hc again.")
    (target / VENV_MARKER).write_text(f"odoo {found[0]}\nsource {source}\npath {found[1]}\n")
    say(f"hc: Odoo {found[0]} ready in {target} ({time.monotonic() - start:.0f} s of pip)")


def odoo_launcher():
    """The command that starts Odoo's own CLI (re-executable for --workers > 0)."""
    explicit = os.environ.get("HC_ODOO_BIN")
    if explicit:
        return [explicit]
    import odoo

    source_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    if source_bin.is_file():
        return [sys.executable, str(source_bin)]
    script = Path(sys.executable).with_name("odoo")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "odoo"]


def odoo_addons_paths():
    import odoo

    base = Path(odoo.__file__).resolve().parent
    paths = [base / "addons"]
    top = base.parent / "addons"  # source checkouts keep most addons here
    if (top / "web").is_dir():
        paths.append(top)
    return [str(p) for p in [*paths, REPO, REPO / "addons"] if p.is_dir()]


def pg_bindir(cmd):
    found = find_pg_bindir()
    if found is None:
        die(PG_MISSING.format(cmd=cmd))
    return found


def find_pg_bindir():
    candidates = []
    if os.environ.get("HC_PG_BINDIR"):
        candidates.append(Path(os.environ["HC_PG_BINDIR"]))
    else:
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
            if out:
                candidates.append(Path(out))
        except OSError:
            pass
        found = shutil.which("initdb")
        if found:
            candidates.append(Path(found).resolve().parent)
        candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for cand in candidates:
        if all((cand / prog).exists() for prog in ("initdb", "pg_ctl", "postgres")):
            return cand
    return None


def ensure_python_packages():
    missing = [dist for mod, dist in PY_REQUIREMENTS.items() if importlib.util.find_spec(mod) is None]
    if not missing:
        return
    say(f"hc: installing the test requirements ({', '.join(missing)} missing) from requirements.txt ...")
    constraint = Path(tempfile.mkdtemp()) / "constraints.txt"
    constraint.write_text("setuptools<81\n")
    env = dict(os.environ, PIP_CONSTRAINT=str(constraint))
    res = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-r", str(REPO / "requirements.txt")], env=env, check=False
    )
    if res.returncode != 0:
        die(
            f"hc: could not install {', '.join(missing)}. Install them with\n"
            f"    {sys.executable} -m pip install -r {REPO / 'requirements.txt'}\n"
        )
    importlib.invalidate_caches()


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def apt_install(package, purpose):
    """Install a Debian package when we are root on a system with apt-get; True if we tried."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    say(f"hc: installing Debian's '{package}' package for {purpose} ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", *package.split()], env=env, check=False)
    return True


def ensure_chromium():
    """Browser tours must run: find Chromium, install Debian's when we can, else stop."""
    path = find_chromium()
    if path:
        return path
    if apt_install("chromium", "the browser tours"):
        path = find_chromium()
        if path:
            return path
    die(
        "hc: the browser tours need Chromium and none was found (and it could not be installed).\n"
        "    Debian/Ubuntu:  sudo apt-get install chromium     (Ubuntu: chromium-browser)\n"
        "Tours are never skipped in this suite, so the test run stops here.\n"
    )


def ensure_wkhtmltopdf():
    """PDF reports need wkhtmltopdf: find it, install Debian's when we can, else print a hint.

    Odoo looks for the binary once, when it starts, so this runs before Odoo does. Without it
    Odoo still runs (reports print as HTML) and the PDF tests skip, saying why.
    """
    path = shutil.which("wkhtmltopdf")
    if path:
        return path
    if apt_install("wkhtmltopdf", "the PDF reports"):
        path = shutil.which("wkhtmltopdf")
        if path:
            return path
    say(
        "hc: wkhtmltopdf was not found (and could not be installed): Odoo cannot print PDF reports,\n"
        "    and the tests that render PDFs will be skipped.\n"
        "    Debian/Ubuntu:  sudo apt-get install wkhtmltopdf\n"
        "    other systems:  https://github.com/wkhtmltopdf/packaging/releases (0.12.6)"
    )
    return None


# --------------------------------------------------------------------------- postgres
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A private PostgreSQL cluster in a folder, run by an unprivileged user when we are root."""

    def __init__(self, folder, bindir):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.bindir = bindir
        self.port_file = self.folder / "port"
        self.log_dir = self.folder
        self.port = None
        pointer = self.folder / "WHERE"
        if pointer.exists():
            self.data = Path(pointer.read_text().strip()) / "data"
            self.log_dir = self.data.parent

    def _as_owner(self, args, **kw):
        if os.geteuid() == 0:
            # drop to the postgres user in the child itself: no runuser/su needed on PATH
            import pwd

            owner = pwd.getpwnam("postgres")
            kw = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": [], "cwd": "/", **kw}
        return subprocess.run(args, check=False, **kw)

    def _prepare_folder(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            probe = self._as_owner(["test", "-w", str(self.folder)])
            if probe.returncode != 0:
                # a parent folder the postgres user cannot enter (e.g. under /root): keep the
                # cluster in a stable folder of its own and leave a pointer here
                import hashlib

                tag = hashlib.sha256(str(self.folder).encode()).hexdigest()[:12]
                elsewhere = Path(tempfile.gettempdir()) / f"hc-pg-{tag}"
                elsewhere.mkdir(mode=0o700, exist_ok=True)
                shutil.chown(elsewhere, "postgres")
                (self.folder / "WHERE").write_text(f"{elsewhere}\n")
                say(f"hc: the postgres user cannot enter {self.folder}; the cluster lives in {elsewhere}")
                self.data = elsewhere / "data"
                self.log_dir = elsewhere
        return True

    def init(self):
        if (self.data / "PG_VERSION").exists():
            return
        if os.geteuid() == 0:
            import pwd

            try:
                pwd.getpwnam("postgres")
            except KeyError:
                die(
                    "hc: running as root, PostgreSQL needs an unprivileged 'postgres' user "
                    "(created by Debian's postgresql package), or run ./hc as a normal user."
                )
        self._prepare_folder()
        res = self._as_owner(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                DB_SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            die(f"hc: initdb failed:\n{res.stdout}{res.stderr}")

    def running(self):
        return (self.data / "postmaster.pid").exists() and self._as_owner(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"], capture_output=True
        ).returncode == 0

    def start(self):
        if self.running():
            self.port = int(self.port_file.read_text())
            return
        self.port = free_port()
        log = self.log_dir / "postgres.log"
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c max_connections=200 -c shared_buffers=256MB"
        )
        res = self._as_owner(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start"],
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            die(f"hc: PostgreSQL did not start:\n{res.stdout}{res.stderr}{tail}")
        self.port_file.write_text(str(self.port))

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._as_owner(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], capture_output=True
            )

    def db_options(self):
        return {"db_host": "127.0.0.1", "db_port": str(self.port), "db_user": DB_SUPERUSER, "db_password": ""}


def external_db_options():
    return {
        "db_host": os.environ.get("PGHOST", ""),
        "db_port": os.environ.get("PGPORT", ""),
        "db_user": os.environ.get("PGUSER", ""),
        "db_password": os.environ.get("PGPASSWORD", ""),
    }


def pg_configured():
    return any(os.environ.get(var) for var in PG_VARS)


def pg_connect(db_opts, dbname="postgres"):
    import psycopg2

    kwargs = {"dbname": dbname}
    for key, arg in (("db_host", "host"), ("db_port", "port"), ("db_user", "user"), ("db_password", "password")):
        if db_opts.get(key):
            kwargs[arg] = db_opts[key]
    conn = psycopg2.connect(**kwargs)
    conn.autocommit = True
    return conn


def db_exists(db_opts, name):
    with pg_connect(db_opts) as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return bool(cr.fetchone())


def drop_db(db_opts, name):
    conn = pg_connect(db_opts)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        conn.close()


def copy_db(db_opts, source, target, data_dir):
    conn = pg_connect(db_opts)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (source,))
            cr.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    finally:
        conn.close()
    src = Path(data_dir) / "filestore" / source
    if src.is_dir():
        shutil.copytree(src, Path(data_dir) / "filestore" / target)


# --------------------------------------------------------------------------- odoo
def persistent_secret(path):
    """A random value kept in a file of the state folder (survives restarts of ./hc run)."""
    path = Path(path)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def write_config(path, db_opts, data_dir, **extra):
    # hc_secret_key encrypts endpoint secrets at rest; it must stay the same for a database
    secret = persistent_secret(Path(path).parent / "hc_secret_key")
    lines = [
        "[options]",
        f"addons_path = {','.join(odoo_addons_paths())}",
        f"data_dir = {data_dir}",
        f"admin_passwd = {secrets.token_urlsafe(16)}",
        "without_demo = all",
        "list_db = False",
        f"hc_secret_key = {secret}",
    ]
    lines += [f"{key} = {value}" for key, value in {**db_opts, **extra}.items()]
    Path(path).write_text("\n".join(lines) + "\n")
    return path


def odoo_install(conf, db, modules, log_file=None):
    cmd = [
        *odoo_launcher(),
        "-c",
        str(conf),
        "-d",
        db,
        "-i",
        ",".join(modules),
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    ]
    say(f"hc: installing {', '.join(modules)} into database '{db}' (about a minute) ...")
    start = time.monotonic()
    with open(log_file or os.devnull, "w") as log:
        res = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=False, cwd="/")
    if res.returncode != 0:
        tail = Path(log_file).read_text()[-4000:] if log_file else ""
        die(f"hc: installing the modules failed (exit {res.returncode}):\n{tail}", code=1)
    say(f"hc: installed in {time.monotonic() - start:.0f} s")


def setup_cluster(cmd, folder):
    """Return (db_opts, cluster or None)."""
    if pg_configured():
        say(f"hc: using the PostgreSQL server from the environment (PGHOST={os.environ.get('PGHOST', '')!s})")
        return external_db_options(), None
    cluster = Cluster(folder, pg_bindir(cmd))
    cluster.init()
    cluster.start()
    say(f"hc: embedded PostgreSQL cluster in {cluster.data} on 127.0.0.1:{cluster.port}")
    return cluster.db_options(), cluster


# --------------------------------------------------------------------------- commands
def cmd_run(args):
    version = check_odoo()
    ensure_wkhtmltopdf()
    run_dir = STATE / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    db_opts, cluster = setup_cluster("run", run_dir / "pg")
    data_dir = run_dir / "odoo-data"
    conf = write_config(
        run_dir / "odoo.conf",
        db_opts,
        data_dir,
        http_port=args.port,
        workers=args.workers,
        # Odoo's default: real-time processing keeps running while a batch endpoint's run
        # (up to its time budget) holds the other cron thread
        max_cron_threads=2,
        proxy_mode="False",
    )
    db = args.database
    try:
        if not db_exists(db_opts, db):
            odoo_install(conf, db, [*SUITE_MODULES, DEMO_MODULE], log_file=run_dir / "install.log")
        else:
            say(f"hc: reusing database '{db}' (drop {run_dir} to start afresh)")
        say(f"""
hc: Odoo {version} with the healthcare integration suite, database '{db}'
    open     http://localhost:{args.port}/web/login   login: admin   password: admin
    try      Healthcare Integration > Endpoints: create an endpoint, generate its secret,
             then post an event (see README, "Try it")
    health   curl http://localhost:{args.port}/hc/v1/health
    data     {run_dir}  (PostgreSQL cluster, filestore, odoo.conf, logs)
    stop     Ctrl+C
""")
        proc = subprocess.Popen([*odoo_launcher(), "-c", str(conf), "-d", db], cwd="/")
        stop = lambda *_: proc.send_signal(signal.SIGINT)  # noqa: E731
        signal.signal(signal.SIGTERM, stop)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            return proc.wait()
    finally:
        if cluster:
            cluster.stop()


def cmd_test(args):
    check_odoo()
    ensure_python_packages()
    chromium = ensure_chromium()
    ensure_wkhtmltopdf()
    STATE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="test-", dir=STATE))
    work.chmod(0o755)  # PostgreSQL may run as another user and must reach its folder
    rc = 1
    cluster = None
    db_opts = None
    suffix = secrets.token_hex(3)
    db, e2e_db = f"hc_test_{suffix}", f"hc_e2e_{suffix}"
    try:
        db_opts, cluster = setup_cluster("test", work / "pg")
        data_dir = work / "odoo-data"
        conf = write_config(work / "odoo.conf", db_opts, data_dir, max_cron_threads=0)
        modules = [*SUITE_MODULES, DEMO_MODULE]
        odoo_install(conf, db, modules, log_file=work / "install.log")
        copy_db(db_opts, db, e2e_db, data_dir)
        env = dict(
            os.environ,
            HC_REPO=str(REPO),
            HC_E2E_CONF=str(conf),
            HC_E2E_DB=e2e_db,
            HC_E2E_WORK=str(work),
            HC_CHROMIUM=chromium,
        )
        pytest_cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(REPO / "pytest.ini"),
            "--rootdir",
            str(REPO),
            "--odoo-config",
            str(conf),
            "--odoo-database",
            db,
            "--odoo-http",
            *(args.pytest_args or []),
        ]
        say("hc: " + " ".join(pytest_cmd[1:]))
        rc = subprocess.run(pytest_cmd, cwd=REPO, env=env, check=False).returncode
        if rc == 5:
            say("hc: pytest collected no test: that is a failure")
            rc = 1
    finally:
        if db_opts and not args.keep:
            for name in (db, e2e_db):
                try:
                    drop_db(db_opts, name)
                except Exception as exc:  # cleanup must not hide the test result
                    say(f"hc: could not drop {name}: {exc}")
        if cluster and not args.keep:
            cluster.stop()
        if args.keep:
            say(f"hc: kept {work} (cluster on port {cluster.port if cluster else '-'}, databases {db}, {e2e_db})")
        else:
            if cluster and cluster.data.parent != cluster.folder:
                shutil.rmtree(cluster.data.parent, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
    return rc


def requirement_lines():
    """(distribution, specifier, section) of requirements.txt; section is 'runtime' or 'tests'."""
    section = "runtime"
    for raw in (REPO / "requirements.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if raw.strip().lower().startswith("# tests"):
            section = "tests"
        if not line:
            continue
        name = line
        for sep in ("<", ">", "=", "!", "~", ";", "[", " "):
            name = name.split(sep, 1)[0]
        yield name.strip(), line[len(name) :].strip(), section


def requirement_status(name, spec):
    """(installed version or None, satisfies spec: True/False/None when unknown)."""
    from importlib import metadata

    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return None, False
    try:
        from packaging.specifiers import SpecifierSet

        return version, SpecifierSet(spec.split(";")[0]).contains(version, prereleases=True)
    except Exception:
        return version, None


def cmd_doctor(args):
    """One screen: what ./hc needs and what it found; exit 1 when something required is missing."""
    rows = []  # (state, what, detail, fix)

    def add(state, what, detail="", fix=""):
        rows.append((state, what, detail, fix))

    py_ok = (3, 10) <= sys.version_info[:2] <= (3, 12)
    add(
        "ok" if py_ok else "MISSING",
        f"Python {sys.version.split()[0]}",
        sys.executable,
        "" if py_ok else "Odoo 18 needs Python 3.10-3.12: HC_PYTHON=/path/to/python3.12 ./hc doctor",
    )
    reason = odoo_problem()
    if reason is None:
        import odoo
        from odoo import release

        where = "  (.hc/venv)" if running_in_venv() else ""
        add("ok", f"Odoo {release.version}", f"{Path(odoo.__file__).parent}{where}")
    elif os.environ.get("HC_PYTHON"):
        add(
            "MISSING",
            "Odoo 18",
            reason,
            "install Odoo 18 into HC_PYTHON, or run without HC_PYTHON: ./hc setup brings it into .hc/venv",
        )
    else:
        add("MISSING", "Odoo 18", reason, "./hc setup  (./hc run and ./hc test do it too: Odoo 18.0 into .hc/venv)")
        libs = missing_build_packages()
        if libs:
            add(
                "missing",
                "build libraries for Odoo's requirements",
                " ".join(libs),
                f"sudo apt-get install {' '.join(libs)}",
            )
    if pg_configured():
        try:
            with pg_connect(external_db_options()) as conn, conn.cursor() as cr:
                cr.execute("SHOW server_version")
                add("ok", f"PostgreSQL server {cr.fetchone()[0]}", f"PGHOST={os.environ.get('PGHOST', '')}")
        except Exception as exc:
            add(
                "MISSING",
                "PostgreSQL server",
                f"PGHOST={os.environ.get('PGHOST', '')}: {str(exc).strip()[:120]}",
                "check PGHOST/PGPORT/PGUSER/PGPASSWORD, or unset them to use an embedded cluster",
            )
    else:
        bindir = find_pg_bindir()
        if bindir:
            out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False)
            add(
                "ok",
                (out.stdout.strip() or "PostgreSQL").replace("postgres (PostgreSQL)", "PostgreSQL"),
                f"{bindir} (embedded clusters)",
            )
        else:
            add(
                "MISSING",
                "PostgreSQL server programs",
                "initdb, pg_ctl, postgres",
                "sudo apt-get install postgresql   (or set PGHOST/PGPORT/PGUSER/PGPASSWORD)",
            )
    chromium = find_chromium()
    add(
        "ok" if chromium else "missing",
        "Chromium",
        chromium or "needed by ./hc test (browser tours)",
        "" if chromium else "sudo apt-get install chromium   (./hc test does it when run as root)",
    )
    wk = shutil.which("wkhtmltopdf")
    add(
        "ok" if wk else "missing",
        "wkhtmltopdf",
        wk or "optional: PDF reports print as HTML without it",
        "" if wk else "sudo apt-get install wkhtmltopdf",
    )
    for name, spec, section in requirement_lines():
        version, good = requirement_status(name, spec)
        label = f"{name} {version}" if version else name
        if version and good is not False:
            add("ok", label, "")
        elif section == "tests":
            add(
                "missing",
                label,
                f"wants {spec}; needed by ./hc test, which installs it",
                f"{sys.executable} -m pip install -r {REPO / 'requirements.txt'}",
            )
        else:
            add(
                "MISSING",
                label,
                f"wants {spec}" if spec else "",
                f"{sys.executable} -m pip install -r {REPO / 'requirements.txt'}",
            )

    say(f"hc doctor: what ./hc needs, as found by {sys.executable}")
    packages = [r for r in rows if r[0] == "ok" and not r[2]]
    for state, what, detail, fix in rows:
        if state == "ok" and not detail:
            continue  # installed Python packages: one line below
        say(f"  {state:8} {what:34} {detail}")
        if fix:
            say(f"  {'':8} fix: {fix}")
    if packages:
        say(f"  {'ok':8} Python packages: {', '.join(r[1] for r in packages)}")
    required = [r for r in rows if r[0] == "MISSING"]
    if required:
        say(f"hc doctor: {len(required)} required thing(s) missing (MISSING above); 'missing' ones are optional")
        return 1
    say(
        "hc doctor: everything ./hc run needs is here"
        + ("" if all(r[0] == "ok" for r in rows) else "; 'missing' lines are optional")
    )
    return 0


def cmd_setup(args):
    version = check_odoo()
    import odoo

    say(f"hc: Odoo {version} is importable by {sys.executable} ({Path(odoo.__file__).parent})")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="hc", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start Odoo with the suite and demo data on http://localhost:8069")
    run.add_argument("--port", type=int, default=int(os.environ.get("HC_HTTP_PORT", "8069")))
    run.add_argument("--workers", type=int, default=0)
    run.add_argument("--database", default=os.environ.get("HC_DATABASE", "hc_demo"))
    run.set_defaults(func=cmd_run)
    test = sub.add_parser("test", help="install the suite in a throwaway database and run every test")
    test.add_argument("--keep", action="store_true", help="keep the cluster and databases for inspection")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments after --")
    test.set_defaults(func=cmd_test)
    doctor = sub.add_parser("doctor", help="say what was found and what is missing, with the fix for each")
    doctor.set_defaults(func=cmd_doctor)
    setup = sub.add_parser("setup", help="only bring Odoo 18 into .hc/venv when it is not importable")
    setup.set_defaults(func=cmd_setup)
    args = parser.parse_args(argv)
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    # Odoo 18 missing: use .hc/venv, set it up first if needed (doctor only looks)
    ensure_odoo(bootstrap=args.command != "doctor")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
