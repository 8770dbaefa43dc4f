#!/usr/bin/env python3
"""Developer commands of the healthcare integration suite.

    ./hc run   start Odoo 18 with the suite and its demo data on http://localhost:8069
    ./hc test  create a throwaway database, install the suite, run every test

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
    "hypothesis": "hypothesis",
}

ODOO_MISSING = """\
hc: Odoo 18 is not importable by {python} ({reason}).

The suite runs inside Odoo 18.0 (Community). Install Odoo 18 the official way, into
the Python you run ./hc with (or point HC_PYTHON at that Python):

    https://www.odoo.com/documentation/18.0/administration/on_premise/source.html

  e.g.  git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git
        pip install -r odoo/requirements.txt   # needs setuptools<81 when building old sdists
        pip install -e ./odoo

or install the official Debian/Ubuntu package (nightly.odoo.com, 18.0) and run with its
Python.  Check with:  {python} -c "import odoo.release; print(odoo.release.version)"
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
def check_odoo():
    """Return the version of the importable Odoo or stop with instructions."""
    reason = None
    try:
        if importlib.util.find_spec("odoo") is None:
            reason = "no module named 'odoo'"
        else:
            from odoo import release

            if release.version_info[0] != 18:
                reason = f"found Odoo {release.version}, need 18.0"
    except Exception as exc:  # a broken install must still give the message
        reason = f"importing it failed: {type(exc).__name__}: {exc}"
    if reason:
        die(ODOO_MISSING.format(python=sys.executable, reason=reason))
    from odoo import release

    return release.version


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
    die(PG_MISSING.format(cmd=cmd))


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
    subprocess.run(["apt-get", "install", "-y", "-qq", package], env=env, check=False)
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
    args = parser.parse_args(argv)
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
