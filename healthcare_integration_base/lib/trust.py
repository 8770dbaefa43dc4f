"""Server-side state that no caller can set: the engine's attribution and the methods' permissions.

Anything in the Odoo context is input: an XML-RPC / JSON-RPC caller, the web client and every
controller that accepts a ``context`` may put any key there. So what decides *who and through
which interface* a change is attributed to, whether the audit trail records it, and whether a
protected field may be written is never read from the context. It lives in context variables of
the running thread, set only by server code for the dynamic extent of a ``with`` block:

- :func:`attributed` -- the engine says "this runs for endpoint X, messages Y" (read by the audit);
- :func:`audit_suspended` -- a method that records its own audit event (a decision) keeps the
  generic write hook from recording the same change twice;
- :func:`privileged` -- a decision method, after checking the group and the four-eyes rule,
  writes the fields that only it may write (see ``hc.guarded.mixin``).

A context variable is per thread (and per asyncio task): a new request starts without any of
them, and the ``with`` blocks restore the previous value even when the code inside raises.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_attribution = ContextVar("hc_attribution", default=None)
_audit_suspended = ContextVar("hc_audit_suspended", default=False)
_privileged = ContextVar("hc_privileged", default=False)

ATTRIBUTION_KEYS = frozenset({"interface", "endpoint_id", "correlation_id", "message_id", "correlation_ids"})


@contextmanager
def attributed(**values):
    """Attribute the changes made inside the block: ``interface`` (``webhook:<code>``,
    ``cron:<name>``), ``endpoint_id``, ``correlation_id``, ``message_id`` and/or
    ``correlation_ids`` ({message id: correlation id}). Nested blocks add to the outer one."""
    unknown = set(values) - ATTRIBUTION_KEYS
    if unknown:
        raise ValueError(f"unknown attribution keys: {sorted(unknown)}")
    token = _attribution.set({**(_attribution.get() or {}), **values})
    try:
        yield
    finally:
        _attribution.reset(token)


def attribution():
    """The attribution set by the enclosing :func:`attributed` blocks ({} outside of any)."""
    return _attribution.get() or {}


@contextmanager
def audit_suspended():
    token = _audit_suspended.set(True)
    try:
        yield
    finally:
        _audit_suspended.reset(token)


def is_audit_suspended():
    return _audit_suspended.get()


@contextmanager
def privileged():
    """Let the code inside write guarded fields; enter it only after the method's own checks."""
    token = _privileged.set(True)
    try:
        yield
    finally:
        _privileged.reset(token)


def is_privileged():
    return _privileged.get()
