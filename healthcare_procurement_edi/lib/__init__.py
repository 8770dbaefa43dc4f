"""EDI syntax layer: X12, EDIFACT, cXML and UBL read into one shape, written from canonical dicts.

Plain Python (no Odoo import) so it is unit-tested and fuzzed without a database.
Public entry points: ``interchange.sniff``/``read``/``read_functional_ack`` and
``outbound.render_order``/``render_order_change``/``render_functional_ack``.
"""
