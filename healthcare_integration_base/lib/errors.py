"""The errors a message processor reports, and the engine's own error codes. No ORM here.

Two kinds of failure (see the architecture): a *business* error waits for a person (one
exception per cause, routed to a team) and is never retried blindly; a *technical* error is
retried with backoff until the message type's (or endpoint's) attempt budget is spent.

Processors either return these as a message's outcome or raise them (the engine then isolates
the message and records what was raised).
"""

# ---------------------------------------------------------------------------- codes of the engine
# codes of the contract that the engine itself (not a business module) produces
NO_HANDLER = "no_handler"  # no active message type matches the message
NO_OUTCOME = "no_outcome"  # the processor returned nothing for the message
SCHEMA_VIOLATION = "schema_violation"
MESSAGE_TYPE_FORBIDDEN = "message_type_forbidden"
UNREADABLE_BODY = "unreadable_body"
IDEMPOTENCY_KEY_REUSE = "idempotency_key_reuse"


class HcError(Exception):
    """Base class of the outcomes a processor may report instead of a result."""

    kind = None

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class HcBusinessError(HcError):
    """A business failure: the message waits for a person (error class ``business``).

    ``code`` is one of the contract's error codes (``item_unknown``, ``lot_expired`` ...),
    ``detail`` a human-readable explanation free of patient data, ``cause`` a short key that
    groups messages waiting on the same thing (one exception and one activity per cause),
    ``record`` an optional ``(model, id)`` the exception concerns, ``team_xmlid`` the team that
    decides (else the message type's team, else the endpoint's).
    """

    kind = "business"

    def __init__(self, code, detail="", cause=None, record=None, severity="medium", team_xmlid=None):
        super().__init__(code, detail)
        self.cause = cause or code
        self.record = record
        self.severity = severity
        self.team_xmlid = team_xmlid


class HcTechnicalError(HcError):
    """A technical failure worth retrying (partner timeout, lock, a fact not arrived yet).

    ``retry_at`` (naive UTC ``datetime``) overrides the backoff; ``counts=False`` means the
    attempt is not charged to the retry budget (the message can never go ``dead`` for it), e.g.
    a reversal waiting, within its own window, for the event it reverses.
    """

    kind = "technical"

    def __init__(self, code, detail="", retry_at=None, counts=True):
        super().__init__(code, detail)
        self.retry_at = retry_at
        self.counts = counts
