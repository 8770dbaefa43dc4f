#!/usr/bin/env python3
"""Recall trace benchmark: the trace of one lot with 100,000 movements and 100,000 messages.

    ./hc run &                                   # a server with the suite and the demo data
    python3 tests/bench_recall_trace.py --url http://127.0.0.1:8069 --db hc_demo \
        --pg "host=127.0.0.1 port=<embedded cluster port> user=odoo dbname=hc_demo"

Makes a lot of NS-1000 and an endpoint over XML-RPC, then writes its history straight into
PostgreSQL with set-based INSERTs (a receipt, then N movements: 70 % consumptions with a
pseudonymised encounter reference, 10 % waste, 10 % transfers to the North Clinic, 10 % returns,
each with the inbound message that reported it, the encounter and the message noted on the move
and its line as the inventory processor leaves them), opens a
recall case for the lot and prints how long ``hc.recall.get_trace`` takes over XML-RPC, the
case's screen (which renders the same aggregated trace), and paging through every encounter
reference of one location and day with ``get_trace_encounters``. The rows are removed afterwards unless --keep.
Figures only: nothing here asserts a timing.
"""

import argparse
import statistics
import sys
import time
import uuid
import xmlrpc.client

import psycopg2


class Server:
    def __init__(self, url, db, login, password):
        self.db, self.password = db, password
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, login, password, {})
        if not self.uid:
            sys.exit("cannot log in: check --db/--login/--password")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kw):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kw)


def one(cr, sql, *params):
    cr.execute(sql, params)
    row = cr.fetchone()
    return row[0] if row else None


def virtual(server, cr, company, kind):
    """The company's patient-consumption or waste location (made the way the processor makes it)."""
    found = one(cr, "SELECT id FROM stock_location WHERE hc_usage_kind = %s AND company_id = %s", kind, company)
    if found:
        return found
    parent = server(
        "ir.model.data",
        "search_read",
        [["module", "=", "stock"], ["name", "=", "stock_location_locations_virtual"]],
        fields=["res_id"],
    )[0]["res_id"]
    return server(
        "stock.location",
        "create",
        {
            "name": kind.title(),
            "usage": "inventory",
            "hc_usage_kind": kind,
            "company_id": company,
            "location_id": parent,
        },
    )


def seed(server, conn, n):
    cr = conn.cursor()
    product = server("product.product", "search_read", [["default_code", "=", "NS-1000"]], fields=["uom_id"])[0]
    uom = product["uom_id"][0]
    company = one(cr, "SELECT company_id FROM stock_location WHERE barcode = 'ICU-CAB-07'")
    locs = dict(
        (code, one(cr, "SELECT id FROM stock_location WHERE barcode = %s", code))
        for code in ("DOCK-1", "ICU-CAB-07", "NCLIN-STORE")
    )
    locs["consumption"] = virtual(server, cr, company, "consumption")
    locs["waste"] = virtual(server, cr, company, "waste")
    locs["supplier"] = one(cr, "SELECT id FROM stock_location WHERE usage = 'supplier' ORDER BY id LIMIT 1")
    tag = uuid.uuid4().hex[:8]
    code = f"bench-recall-{tag}"
    endpoint = server("hc.endpoint", "create", {"name": code, "code": code, "company_id": company})
    lot_name = f"BENCH-{tag}"
    lot = server("stock.lot", "create", {"name": lot_name, "product_id": product["id"], "company_id": company})
    uid = server.uid
    started = time.perf_counter()
    cr.execute(
        """
        CREATE TEMP TABLE bench_events AS
        SELECT i, %(code)s || ':b-' || i AS origin, 'b-' || i AS key,
               timestamp '2025-06-01' + i * interval '4 minutes' AS at,
               CASE WHEN i = 0 THEN 'receipt' WHEN i %% 10 < 7 THEN 'consumption' WHEN i %% 10 = 7 THEN 'waste'
                    WHEN i %% 10 = 8 THEN 'transfer' ELSE 'return' END AS kind
          FROM generate_series(0, %(n)s) i
        """,
        {"code": code, "n": n},
    )
    cr.execute(
        """
        INSERT INTO hc_inbound_message (endpoint_id, company_id, message_type, state, idempotency_key, content_type,
                                        payload, received_at, occurred_at, processed_at, attempts, result_model,
                                        create_uid, create_date, write_uid, write_date)
        SELECT %(ep)s, %(company)s, 'inventory.' || kind, 'done', key, 'application/json',
               json_build_object('id', key, 'type', 'inventory.' || kind, 'lot', %(lot)s, 'quantity', 1,
                                 'encounter_ref',
                                 CASE WHEN kind = 'consumption' THEN md5('enc' || (i %% 5000)) END)::text,
               at, at, at, 1, 'stock.move', %(uid)s, at, %(uid)s, at
          FROM bench_events
        """,
        {"ep": endpoint, "company": company, "lot": lot_name, "uid": uid},
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_moves AS
        SELECT e.*, CASE kind WHEN 'receipt' THEN %(supplier)s WHEN 'return' THEN %(cons)s
                              ELSE CASE WHEN kind <> 'transfer' AND i %% 3 = 0 THEN %(nclin)s ELSE %(icu)s END
                    END AS src,
                    CASE kind WHEN 'receipt' THEN %(dock)s WHEN 'consumption' THEN %(cons)s WHEN 'waste' THEN %(waste)s
                              WHEN 'transfer' THEN %(nclin)s ELSE %(icu)s END AS dst,
                    CASE WHEN kind = 'receipt' THEN %(n)s ELSE 1 END AS qty
          FROM bench_events e
        """,
        {
            "supplier": locs["supplier"],
            "cons": locs["consumption"],
            "waste": locs["waste"],
            "dock": locs["DOCK-1"],
            "icu": locs["ICU-CAB-07"],
            "nclin": locs["NCLIN-STORE"],
            "n": n,
        },
    )
    cr.execute(
        """
        INSERT INTO stock_move (name, sequence, priority, date, company_id, product_id, product_uom, product_uom_qty,
                                product_qty, quantity, location_id, location_dest_id, state, origin, procure_method,
                                reference, picked, scrapped, propagate_cancel, is_inventory, additional,
                                hc_encounter_ref, create_uid, create_date, write_uid, write_date)
        SELECT origin, 10, '0', at, %(company)s, %(product)s, %(uom)s, qty, qty, qty, src, dst, 'done', origin,
               'make_to_stock', origin, true, false, false, false, false,
               CASE WHEN kind = 'consumption' THEN md5('enc' || (i %% 5000)) END, %(uid)s, at, %(uid)s, at
          FROM bench_moves
        """,
        {"company": company, "product": product["id"], "uom": uom, "uid": uid},
    )
    cr.execute("ANALYZE stock_move; ANALYZE hc_inbound_message")  # the lines join both by the thousand
    cr.execute(
        """
        INSERT INTO stock_move_line (move_id, company_id, product_id, product_uom_id, lot_id, location_id,
                                     location_dest_id, state, reference, quantity, quantity_product_uom, picked, date,
                                     hc_encounter_ref, hc_correction, hc_message_id,
                                     create_uid, create_date, write_uid, write_date)
        SELECT m.id, m.company_id, m.product_id, m.product_uom, %(lot)s, m.location_id, m.location_dest_id, 'done',
               m.reference, m.quantity, m.product_qty, true, m.date, m.hc_encounter_ref, false, im.id,
               m.create_uid, m.date, m.write_uid, m.date
          FROM stock_move m
          JOIN hc_inbound_message im ON im.endpoint_id = %(ep)s AND im.idempotency_key = substr(m.origin, %(skip)s)
         WHERE m.origin LIKE %(prefix)s
        """,
        {"lot": lot, "prefix": f"{code}:%", "ep": endpoint, "skip": len(code) + 2},
    )
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, company_id, location_id, lot_id, quantity, reserved_quantity, in_date,
                                 create_uid, create_date, write_uid, write_date)
        SELECT %(product)s, %(company)s, loc, %(lot)s, sum(q), 0, now(), %(uid)s, now(), %(uid)s, now()
          FROM (SELECT dst AS loc, qty AS q FROM bench_moves UNION ALL SELECT src, -qty FROM bench_moves) t
          JOIN stock_location l ON l.id = t.loc AND l.usage = 'internal'
         GROUP BY loc
        """,
        {"product": product["id"], "company": company, "lot": lot, "uid": uid},
    )
    cr.execute("ANALYZE stock_move; ANALYZE stock_move_line; ANALYZE hc_inbound_message")
    conn.commit()
    print(f"seeded lot {lot_name}: {n + 1} movements and {n + 1} messages in {time.perf_counter() - started:.1f} s")
    return {"code": code, "endpoint": endpoint, "lot": lot, "lot_name": lot_name, "product": product["id"]}


def cleanup(server, conn, seeded, recall):
    cr = conn.cursor()
    server("hc.recall", "unlink", [recall])
    cr.execute("DELETE FROM stock_move_line WHERE lot_id = %s", (seeded["lot"],))
    cr.execute("DELETE FROM stock_quant WHERE lot_id = %s", (seeded["lot"],))
    cr.execute("DELETE FROM stock_move WHERE origin LIKE %s", (f"{seeded['code']}:%",))
    cr.execute("DELETE FROM hc_inbound_message WHERE endpoint_id = %s", (seeded["endpoint"],))
    cr.execute("DELETE FROM hc_idempotency_key WHERE endpoint_id = %s", (seeded["endpoint"],))
    cr.execute("DELETE FROM stock_lot WHERE id = %s", (seeded["lot"],))
    conn.commit()
    server("hc.endpoint", "write", [seeded["endpoint"]], {"active": False})  # endpoints are archived, never deleted
    print("removed the benchmark's rows")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="hc_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--pg", help="libpq connection string of the same database (default: dbname=<db>)")
    parser.add_argument("--movements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated rows")
    args = parser.parse_args()
    server = Server(args.url, args.db, args.login, args.password)
    conn = psycopg2.connect(args.pg or f"dbname={args.db}")
    seeded = seed(server, conn, args.movements)
    recall = server(
        "hc.recall",
        "create",
        {"product_id": seeded["product"], "lot_ids": [(6, 0, [seeded["lot"]])], "reason": "benchmark"},
    )
    try:
        times, trace = [], None
        for _ in range(args.repeat):
            start = time.perf_counter()
            trace = server("hc.recall", "get_trace", [recall])
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        server("hc.recall", "read", [recall], ["trace_html"])
        screen = time.perf_counter() - start
        # every encounter reference of the busiest consumed location-day, a page at a time
        busiest = max(trace["consumed"], key=lambda r: r["encounter_count"]) if trace["consumed"] else None
        pages, page_times = [], []
        while busiest:
            start = time.perf_counter()
            page = server(
                "hc.recall",
                "get_trace_encounters",
                [recall],
                busiest["location_id"],
                busiest["day"],
                offset=sum(len(p) for p in pages),
                limit=100,
            )
            page_times.append(time.perf_counter() - start)
            pages.append(page["encounters"])
            if not page["encounters"] or sum(len(p) for p in pages) >= page["total"]:
                break
        t = trace["totals"]
        print(
            f"trace of lot {seeded['lot_name']} ({args.movements + 1} movements, {args.movements + 1} messages): "
            f"min {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms over {args.repeat} XML-RPC calls"
        )
        print(f"case screen (trace rendered as HTML): {screen * 1000:.0f} ms")
        print(
            f"trace: received {t['received']:.0f}, on hand {t['on_hand']:.0f}, consumed {t['consumed']:.0f}, "
            f"wasted {t['wasted']:.0f}, returned {t['returned']:.0f}, transferred {t['transferred']:.0f}; "
            f"{len(trace['consumed'])} location-day rows of consumption with "
            f"{sum(r['encounter_count'] for r in trace['consumed'])} encounter references "
            f"({sum(len(r['encounters']) for r in trace['consumed'])} of them in the trace itself), "
            f"{sum(len(trace[k]) for k in ('wasted', 'returned', 'transferred'))} rows of waste, returns and transfers"
        )
        if busiest:
            print(
                f"encounter references of {busiest['day']} at {busiest['location']}: {sum(len(p) for p in pages)} "
                f"in {len(pages)} pages of 100, {statistics.median(page_times) * 1000:.0f} ms per page (median)"
            )
    finally:
        if not args.keep:
            cleanup(server, conn, seeded, recall)
    conn.close()


if __name__ == "__main__":
    main()
