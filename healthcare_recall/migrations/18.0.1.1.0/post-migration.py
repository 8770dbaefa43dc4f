"""18.0.1.1.0: the encounter, the correction flag and the reporting message are noted on each move
line too (the recall trace reads the lines alone): copy them for the lines posted before."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE stock_move_line ml
           SET hc_encounter_ref = mv.hc_encounter_ref, hc_correction = coalesce(mv.hc_correction, false)
          FROM stock_move mv
         WHERE mv.id = ml.move_id AND (mv.hc_encounter_ref IS NOT NULL OR mv.hc_correction)
        """
    )
    # a move posted by an event names '<endpoint code>:<message key>' as its origin
    cr.execute(
        """
        UPDATE stock_move_line ml
           SET hc_message_id = im.id
          FROM stock_move mv
          JOIN hc_endpoint e ON e.code = split_part(mv.origin, ':', 1)
          JOIN hc_inbound_message im
            ON im.endpoint_id = e.id AND im.idempotency_key = substr(mv.origin, length(e.code) + 2)
         WHERE mv.id = ml.move_id AND ml.hc_message_id IS NULL AND mv.origin LIKE '%:%'
        """
    )
