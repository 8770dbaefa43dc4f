"""Control numbers (ISA13, GS06, ST02, UNB 0020, UNH 0062) from PostgreSQL sequences.

One sequence per trading partner, direction and kind, created with the trading partner (and on
first use for a kind it lacks); numbers come from ``nextval``, which a rollback never gives
back, so a number is never used twice even when the document that took it was rolled back. A
sequence lives as long as its partner: created in the partner's transaction, it cannot vanish
with a rolled-back document while the partner stays.
"""

import psycopg2

from odoo import api, models
from odoo.tools import SQL

KINDS = ("isa", "gs", "st", "unb", "unh", "doc")
MAX_VALUE = {"isa": 999999999, "gs": 999999999, "st": 999999999, "unb": 99999999999999, "unh": 99999999999999}


class HcEdiControl(models.AbstractModel):
    _name = "hc.edi.control"
    _description = "EDI Control Numbers"

    @api.model
    def _sequence_name(self, partner_id, kind, direction="out"):
        if kind not in KINDS or direction not in ("out", "in"):
            raise ValueError("unknown control number kind")
        return f"hc_edi_ctl_{int(partner_id)}_{direction}_{kind}"

    @api.model
    def _ensure_sequence(self, name, kind):
        self.env.cr.execute(
            SQL(
                "CREATE SEQUENCE IF NOT EXISTS %s MINVALUE 1 MAXVALUE %s START 1 CYCLE",
                SQL.identifier(name),
                MAX_VALUE.get(kind, 999999999),
            )
        )

    @api.model
    def _create_sequences(self, partner_ids):
        """Every outbound sequence of these partners (called when they are created)."""
        for partner_id in partner_ids:
            for kind in KINDS:
                self._ensure_sequence(self._sequence_name(partner_id, kind), kind)

    @api.model
    def _next(self, partner_id, kind, count=1, direction="out"):
        """``count`` fresh control numbers (ints) for this partner and kind."""
        name = self._sequence_name(partner_id, kind, direction)
        for attempt in range(2):
            try:
                with self.env.cr.savepoint():
                    self.env.cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", name, int(count)))
                    return [row[0] for row in self.env.cr.fetchall()]
            except psycopg2.errors.UndefinedTable:
                if attempt:
                    raise
                self._ensure_sequence(name, kind)
        return []

    @api.model
    def _peek(self, partner_id, kind, direction="out"):
        """The last number given (None when the sequence was never used)."""
        name = self._sequence_name(partner_id, kind, direction)
        self.env.cr.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = %s", [name])
        if not self.env.cr.fetchone():
            return None
        self.env.cr.execute(SQL("SELECT last_value, is_called FROM %s", SQL.identifier(name)))
        value, called = self.env.cr.fetchone()
        return value if called else None
