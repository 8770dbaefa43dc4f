"""Errors a message processor raises; no ORM here."""


class HcBusinessError(Exception):
    """A business failure: the message waits for a person (error class ``business``).

    ``code`` is one of the contract's error codes (``item_unknown``, ``lot_expired`` ...),
    ``detail`` a human-readable explanation free of patient data, ``cause`` a short key that
    groups messages waiting on the same thing (one exception and one activity per cause),
    ``record`` an optional ``(model, id)`` the exception concerns.
    """

    def __init__(self, code, detail="", cause=None, record=None, severity="medium", team_xmlid=None):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.cause = cause or code
        self.record = record
        self.severity = severity
        self.team_xmlid = team_xmlid


class HcTechnicalError(Exception):
    """A technical failure worth retrying with backoff (partner timeout, lock, ...)."""

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
