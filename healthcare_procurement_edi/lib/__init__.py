"""EDI syntax layer: X12, EDIFACT, cXML, UBL and canonical JSON read into one shape, written from
canonical dicts.

Plain Python (no Odoo import) so it is unit-tested and fuzzed without a database.

- ``interchange.sniff`` / ``read`` (tolerant; envelope problems recorded, ``EdiError`` only when
  unreadable) / ``read_envelope`` (best-effort header for a rejecting acknowledgment) /
  ``read_functional_ack`` (997, 999, CONTRL).
- ``outbound.render_order`` / ``render_order_change`` (buyer side), ``render_functional_ack``,
  ``render_document`` (supplier-side po_ack / asn / invoice, for partner simulators).
- Modules: ``x12`` + ``x12_docs`` (in-house tokenizer and mappings), ``edifact`` (pydifact's raw
  segment reader, own envelope checks), ``xmldoc`` (safe lxml parser, cXML and UBL), ``jsondoc``.
"""
