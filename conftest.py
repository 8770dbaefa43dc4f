"""Suite-wide pytest hooks."""

import pytest


def _is_browser_case(item):
    cls = getattr(item, "cls", None)
    if cls is None:
        return False
    try:
        from odoo.tests import HttpCase
    except ImportError:
        return False
    return issubclass(cls, HttpCase)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Odoo skips browser tests when it finds no Chrome: here that is a failure, never a skip."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _is_browser_case(item):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"browser test was skipped ({reason}); this suite requires its tours to run: "
            "install Chromium (Debian/Ubuntu: apt-get install chromium)"
        )
