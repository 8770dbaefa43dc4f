#!/usr/bin/env python3
"""Ship-notice benchmark: N ship notices of L lines (default 1,000 x 20) through the real inbound
path (X12 856 written by the lib, ingested as hc.inbound.message, processed by hc.processor.edi:
lines matched, lots created with expiry, SSCC packages, move lines prefilled), next to the time
Odoo's own receipt validation (button_validate) takes for the same receipts.

Two ways to run it, on a kept test database (``./hc test --keep -- healthcare_procurement_edi/tests/test_edi_asn.py``):

    # everything in one transaction, rolled back at the end (nothing stays in the database)
    python3 tests/bench_asn.py --config .hc/test-XXXX/odoo.conf --db hc_test_XXXX --asns 300 --lines 20

    # as production runs it: orders and notices committed once (--phase setup), then the queue
    # processed by N worker processes claiming and committing batches as the cron threads do
    # (--phase process), on a copy of the setup so it can be run again
    python3 tests/bench_asn.py --config C --db hc_test_XXXX --asns 1000 --lines 20 --phase setup
    psql ... -c "CREATE DATABASE b1 TEMPLATE hc_test_XXXX"
    python3 tests/bench_asn.py --config C --db b1 --phase process --endpoint <printed> --workers 2 --batch 100

Figures only: nothing asserts a timing. Not part of the test suite. ``--validate N`` validates a
sample of N receipts (Odoo's validation is the slow part); ``--profile`` prints cProfile's top 40.

Figures (this project's 2-core machine; load average printed with each run):
- 2026-12-01, quiet machine, 1,000 notices x 20 lines (setup: 1,000 orders confirmed in 611 s),
  --phase process, batch 100, 2 workers (Odoo's 2 cron threads): 30.0-35.0 s -> 1,715-1,997
  notices/min (two runs), 572-666 lines/s, 6.7 SQL queries per notice, 39.8-45.3 s of Odoo CPU;
  1 worker (batch 200): 61.2-64.7 s -> 927-981 notices/min (three runs). Odoo's own
  button_validate on 20 of these receipts: 60-74 receipts/min, 20-25 lines/s, 362 SQL queries per
  receipt (prefilling takes 0.03x (2 workers) to 0.07x (1 worker) the time of validating the same
  receipts). The line Odoo made at confirmation is completed in place
  when the notice has one line for the move (``_hc_complete_in_place``).
- Before that (same day, quiet machine, lines deleted and created again): 300 x 20 in one
  transaction 462 notices/min, committed with 1 worker 630/min (20.1 s CPU), 2 workers 903/min.
- Before batching (one notice at a time): 93.5 SQL queries per notice, 35-182 notices/min.
"""

import argparse
import contextlib
import hashlib
import os
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--asns", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50, help="messages per processing batch")
    parser.add_argument(
        "--validate",
        type=int,
        default=0,
        help="validate only this many of the receipts (Odoo's validation is slow: a sample gives its rate); 0: all",
    )
    parser.add_argument("--profile", action="store_true", help="print the processing's cProfile (top 40)")
    parser.add_argument(
        "--phase",
        choices=("all", "setup", "process", "worker"),
        default="all",
        help="all: everything in one transaction, rolled back; setup: orders and ingested notices, committed "
        "(copy that database to re-run the next phase: CREATE DATABASE b TEMPLATE a); process: the notices "
        "of --endpoint processed as the queue's cron does (committed per batch) by --workers processes",
    )
    parser.add_argument("--endpoint", help="phase process: the endpoint code printed by phase setup")
    parser.add_argument("--workers", type=int, default=1, help="phase process: processes claiming batches at once")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    if str(ROOT) not in config["addons_path"]:
        config["addons_path"] = f"{config['addons_path']},{ROOT}"
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.phase == "worker":
            return work(env, args)
        if args.phase == "process":
            return process_committed(env, args)
        try:
            run(env, args)
        finally:
            if args.phase == "all":
                cr.rollback()
            else:
                cr.commit()


def run(env, args):
    endpoint, orders = setup(env, args)
    if args.phase == "setup":
        print(f"setup committed: --endpoint {endpoint.code}")
        return
    measure(env, args, endpoint, orders, process_in_transaction)


def setup(env, args):
    from odoo.addons.healthcare_procurement_edi.lib import outbound as edi_out

    n_asn, n_lines = args.asns, args.lines
    tag = uuid.uuid4().hex[:6].upper()
    supplier = env["res.partner"].create({"name": f"Bench supplier {tag}", "is_company": True})
    endpoint = env["hc.endpoint"].create(
        {"name": f"bench-{tag}", "code": f"bench-{tag.lower()}", "outbound_url": "https://bench.invalid/edi"}
    )
    env["hc.trading.partner"].create(
        {
            "partner_id": supplier.id,
            "endpoint_id": endpoint.id,
            "document_format": "x12_4010",
            "interchange_qualifier": "ZZ",
            "interchange_id": f"BSUP{tag}",
            "our_interchange_qualifier": "ZZ",
            "our_interchange_id": f"BHOSP{tag}",
            "min_shelf_life_days": 30,
        }
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench item {i} {tag}",
                "default_code": f"BB-{tag}-{i}",
                "is_storable": True,
                "tracking": "lot" if i % 2 else "none",
                "use_expiration_date": bool(i % 2),
                "seller_ids": [(0, 0, {"partner_id": supplier.id, "product_code": f"BV-{tag}-{i}", "price": 5.0})],
            }
            for i in range(n_lines)
        ]
    )
    t0 = time.perf_counter()
    orders = env["purchase.order"]
    for start in range(0, n_asn, 50):  # by 50: one create of 1,000 orders x 20 lines runs for far too long
        chunk = env["purchase.order"].create(
            [
                {
                    "partner_id": supplier.id,
                    "order_line": [
                        (0, 0, {"product_id": p.id, "product_qty": 10, "price_unit": 5.0}) for p in products
                    ],
                }
                for _ in range(min(50, n_asn - start))
            ]
        )
        chunk.button_confirm()
        env.flush_all()
        if args.phase == "setup":
            env.cr.commit()
        orders |= chunk
    setup = time.perf_counter() - t0
    print(f"setup: {n_asn} orders x {n_lines} lines confirmed in {setup:.1f} s (not measured below)", flush=True)
    expiry = str(date.today() + timedelta(days=400))
    payloads = []
    for k, order in enumerate(orders):
        lines = [
            {
                "line_id": ln.id,
                "po_number": order.name,
                "buyer_part": ln.product_id.default_code,
                "vendor_part": "",
                "gtin": "",
                "quantity": "10",
                "uom": "EA",
                "lot": f"L{k}-{j}" if ln.product_id.tracking == "lot" else None,
                "expiry": expiry if ln.product_id.tracking == "lot" else None,
                "serials": [],
                "sscc": f"00{k:08d}{j:08d}",
                "udi": None,
            }
            for j, ln in enumerate(order.order_line)
        ]
        doc = {
            "kind": "asn",
            "asn_number": f"B{k}",
            "po_numbers": [order.name],
            "ship_date": str(date.today()),
            "expected_date": str(date.today()),
            "lines": lines,
        }
        envl = edi_out.Envelope(
            sender_id=f"BSUP{tag}",
            sender_qualifier="ZZ",
            receiver_id=f"BHOSP{tag}",
            receiver_qualifier="ZZ",
            interchange_control_number=10000 + k,
            group_control_number=10000 + k,
            set_control_numbers=[10000 + k],
            version="x12_4010",
            when=datetime(2026, 12, 1, 9, 0),
        )
        payloads.append(edi_out.render_document("x12_4010", doc, envl).decode())
    Message = env["hc.inbound.message"]
    env.registry.clear_cache()
    ctx = env["hc.endpoint"]._auth_context(endpoint.code)
    t0 = time.perf_counter()
    for i in range(0, len(payloads), args.batch):
        chunk = payloads[i : i + args.batch]
        Message._ingest(
            ctx,
            [
                {
                    "key": uuid.uuid4().hex,
                    "body_hash": hashlib.sha256(p.encode()).hexdigest(),
                    "message_type": "x12.856",
                    "payload": p,
                }
                for p in chunk
            ],
            {
                "correlation_id": f"bench-{i}",
                "content_type": "application/edi-x12",
                "webhook_id": uuid.uuid4().hex,
                "client_ip": "127.0.0.1",
            },
        )
    print(f"  ingest  {time.perf_counter() - t0:8.1f} s")
    return endpoint, orders


def process_in_transaction(env, args, endpoint):
    """Every batch in this transaction (rolled back at the end): (wall s, CPU s, queries)."""
    Message = env["hc.inbound.message"]
    q0 = env.cr.sql_log_count
    c0 = time.process_time()
    t0 = time.perf_counter()
    with profiled(args.profile, top=40):
        while Message.process_pending(commit=False, limit=args.batch, endpoint_ids=[endpoint.id]):
            pass
        env.flush_all()
    process = time.perf_counter() - t0
    process_cpu = time.process_time() - c0
    return process, process_cpu, env.cr.sql_log_count - q0


@contextlib.contextmanager
def profiled(enabled, top, dump=None):
    """cProfile around the block when ``enabled``: its top functions printed, optionally dumped."""
    if not enabled:
        yield
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        if dump:
            profiler.dump_stats(dump)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def process_by_workers(env, args, endpoint):
    """As the queue's cron runs it: ``--workers`` processes claim batches and commit each one."""
    import json
    import subprocess

    env.cr.commit()
    cmd = [sys.executable, __file__, "--config", args.config, "--db", args.db, "--phase", "worker"]
    cmd += ["--endpoint", endpoint.code, "--batch", str(args.batch)] + (["--profile"] if args.profile else [])
    procs = [
        subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(args.workers)
    ]
    for proc in procs:  # each has loaded its registry and waits for the start
        assert proc.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outs = [proc.communicate()[0] for proc in procs]
    process = time.perf_counter() - t0
    env.cr.rollback()  # a snapshot that sees what the workers committed
    figures = [json.loads(out.strip().splitlines()[-1]) for out in outs]
    for out in outs:
        print("\n".join(out.strip().splitlines()[:-1]))
    print(
        f"  {args.workers} worker(s): " + ", ".join(f"{f['handled']} notices in {f['cpu']:.1f} s CPU" for f in figures)
    )
    return process, sum(f["cpu"] for f in figures), sum(f["queries"] for f in figures)


def work(env, args):
    """One worker of phase process: waits for the start, processes, prints its figures."""
    import json

    endpoint = env["hc.endpoint"].search([("code", "=", args.endpoint)])
    print("ready", flush=True)
    sys.stdin.readline()
    q0 = env.cr.sql_log_count
    c0 = time.process_time()
    with profiled(args.profile, top=30, dump=f"/tmp/bench_asn_worker_{os.getpid()}.prof"):
        handled = env["hc.inbound.message"].process_pending(limit=args.batch, endpoint_ids=[endpoint.id], commit=True)
    cpu = time.process_time() - c0
    print(json.dumps({"handled": handled, "cpu": cpu, "queries": env.cr.sql_log_count - q0}), flush=True)


def process_committed(env, args):
    endpoint = env["hc.endpoint"].search([("code", "=", args.endpoint)])
    if not endpoint:
        sys.exit(f"no endpoint {args.endpoint}: run --phase setup first")
    supplier = env["hc.trading.partner"].search([("endpoint_id", "=", endpoint.id)]).partner_id
    orders = env["purchase.order"].search([("partner_id", "=", supplier.id)], order="id")
    args.asns = len(orders)
    args.lines = len(orders[:1].order_line)
    measure(env, args, endpoint, orders, process_by_workers)
    env.cr.commit()


def measure(env, args, endpoint, orders, process_with):
    n_asn, n_lines = args.asns, args.lines
    Message = env["hc.inbound.message"]
    load = os.getloadavg()
    process, process_cpu, queries = process_with(env, args, endpoint)
    env.invalidate_all()
    done = Message.search_count([("endpoint_id", "=", endpoint.id), ("state", "=", "done")])
    pickings = orders.picking_ids
    sample = pickings[: args.validate] if args.validate else pickings
    move_lines = env["stock.move.line"].search_count(
        [("picking_id", "in", pickings.ids), ("hc_asn_document_id", "!=", False)]
    )
    total_lines = n_asn * n_lines
    print(f"ship notices: {done}/{n_asn} done, {move_lines} move lines prefilled")
    for msg in Message.search([("endpoint_id", "=", endpoint.id), ("state", "!=", "done")], limit=3):
        print(f"  not done: message {msg.id} {msg.state} {msg.error_code}: {(msg.error_detail or '')[:300]}")
    workers = args.workers if args.phase == "process" else 1
    print(
        f"  process {process:8.1f} s  -> {n_asn / process * 60:,.0f} ship notices/min, "
        f"{total_lines / process:,.0f} lines/s, {queries / n_asn:.1f} SQL queries per notice "
        f"(batch {args.batch}, {workers} worker(s))"
    )
    print(
        f"          {process_cpu:8.1f} s of Odoo's CPU -> {n_asn / process_cpu * 60:,.0f} ship notices/min "
        "per core if the cores were ours (PostgreSQL's own CPU not counted)"
    )
    q0 = env.cr.sql_log_count
    c0 = time.process_time()
    t0 = time.perf_counter()
    for picking in sample:
        picking.move_ids.picked = True
    sample.button_validate()
    env.flush_all()
    validate = time.perf_counter() - t0
    vqueries = env.cr.sql_log_count - q0
    validate_cpu = time.process_time() - c0
    sample_lines = len(sample.move_ids)
    print(
        f"Odoo's own receipt validation (button_validate) of {len(sample)} of these receipts ({sample_lines} lines): "
        f"{validate:.1f} s -> {len(sample) / validate * 60:,.0f} receipts/min, {sample_lines / validate:,.0f} lines/s, "
        f"{vqueries / max(len(sample), 1):.1f} SQL queries per receipt ({validate_cpu:.1f} s CPU)"
    )
    validate = validate * len(pickings) / max(len(sample), 1)  # for all the receipts, at that rate
    print(f"load average when processing started: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")
    print(
        f"ratio: prefilling from the notices takes {process / validate:.2f}x the time of validating the receipts"
        f"{' (validation extrapolated from the sample)' if len(sample) < len(pickings) else ''}"
    )


if __name__ == "__main__":
    sys.exit(main())
