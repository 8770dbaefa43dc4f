#!/usr/bin/env python3
"""Processing benchmark: consumption events through the queue vs the same events through XML-RPC.

    ./hc run --workers 2 &          # a server with the suite and the demo data
    python3 tests/bench_processing.py --url http://127.0.0.1:8069 --db hc_demo

Prints, on the same database:
  1. queue: N consumption events posted in batches to a real-time endpoint, events/s from the
     first 202 to the last 'done';
  2. XML-RPC: M events posted one by one the way point-to-point scripts do (search the product,
     the lot and the location, create a picking, validate it), events/s;
  3. the ratio;
  4. with --audit-pairs P: the queue rate with the audit trail's rules active and inactive, in
     P interleaved pairs, and the overhead of auditing (healthcare_audit);
  5. with --backlog B: the processing rate of the first K messages of a backlog of 1,000 and of
     a backlog of B (default 100,000), to show the claim does not slow down with depth (the
     rest of each backlog is cancelled afterwards).
Figures only: nothing asserts a timing.
"""

import argparse
import json
import statistics
import sys
import time
import uuid
import xmlrpc.client
from datetime import datetime, timezone

import requests
from standardwebhooks.webhooks import Webhook


class Server:
    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, login, password, {})
        if not self.uid:
            sys.exit("cannot log in: check --db/--login/--password")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)


def event(run, i, product="GLV-NIT-M", lot="GLV-2409", location="OR-STORE-1"):
    return {
        "id": f"bench-{run}-{i}",
        "type": "inventory.consumption",
        "schema_version": "1.0",
        "occurred_at": "2026-11-23T07:41:39Z",
        "source": {"system": "bench", "facility": "GENHOSP"},
        "location": location,
        "item": {"code": product},
        "quantity": 1,
        "uom": "EA",
        "lot": lot,
    }


def post(url, code, secret, body, headers=None):
    wid = f"msg_{uuid.uuid4().hex}"
    now = datetime.now(tz=timezone.utc)
    hdrs = {
        "Content-Type": "application/json",
        "webhook-id": wid,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(wid, now, body),
        **(headers or {}),
    }
    resp = requests.post(f"{url}/hc/v1/endpoints/{code}/messages", data=body.encode(), headers=hdrs, timeout=300)
    resp.raise_for_status()
    return resp


def make_endpoint(server, sync_mode):
    code = f"bench-{uuid.uuid4().hex[:8]}"
    eid = server.call(
        "hc.endpoint",
        "create",
        {
            "name": code,
            "code": code,
            "sync_mode": sync_mode,
            "max_body_bytes": 50 * 1024 * 1024,
            "batch_interval_minutes": 100000,
        },
    )
    return code, eid, server.call("hc.endpoint", "generate_secret", [eid])


def wait_done(server, endpoint_id, total, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = server.call(
            "hc.inbound.message",
            "search_count",
            [("endpoint_id", "=", endpoint_id), ("state", "in", ("received", "retry"))],
        )
        if not left:
            break
        time.sleep(0.2)
    states = server.call("hc.inbound.message", "read_group", [("endpoint_id", "=", endpoint_id)], ["state"], ["state"])
    return {g["state"]: g["state_count"] for g in states}


def bench_queue(server, n, label="queue"):
    run = uuid.uuid4().hex[:6]
    code, eid, secret = make_endpoint(server, "realtime")
    bodies = [json.dumps({"events": [event(run, i) for i in range(s, min(n, s + 1000))]}) for s in range(0, n, 1000)]
    start = time.perf_counter()
    for body in bodies:
        post(server.url, code, secret, body)
    states = wait_done(server, eid, n, timeout=max(600, n))
    elapsed = time.perf_counter() - start
    print(
        f"{label + ':':<10}{n} events, first 202 to last done {elapsed:.1f} s -> {n / elapsed:.1f} events/s  {states}"
    )
    return n / elapsed


def bench_xmlrpc(server, m):
    """What a point-to-point script does per event."""
    run = uuid.uuid4().hex[:6]
    picking_type = server.call("stock.picking.type", "search", [("code", "=", "internal")], limit=1)[0]
    dest = server.call("stock.location", "search", [("usage", "=", "customer")], limit=1)[0]
    start = time.perf_counter()
    for i in range(m):
        ev = event(run, i)
        product = server.call(
            "product.product",
            "search_read",
            [("default_code", "=", ev["item"]["code"])],
            fields=["id", "uom_id"],
            limit=1,
        )[0]
        lot = server.call(
            "stock.lot", "search", [("name", "=", ev["lot"]), ("product_id", "=", product["id"])], limit=1
        )[0]
        src = server.call("stock.location", "search", [("barcode", "=", ev["location"])], limit=1)[0]
        picking = server.call(
            "stock.picking",
            "create",
            {
                "picking_type_id": picking_type,
                "location_id": src,
                "location_dest_id": dest,
                "origin": ev["id"],
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": ev["id"],
                            "product_id": product["id"],
                            "product_uom_qty": 1,
                            "product_uom": product["uom_id"][0],
                            "location_id": src,
                            "location_dest_id": dest,
                            "move_line_ids": [
                                (
                                    0,
                                    0,
                                    {
                                        "product_id": product["id"],
                                        "lot_id": lot,
                                        "quantity": 1,
                                        "location_id": src,
                                        "location_dest_id": dest,
                                    },
                                )
                            ],
                        },
                    )
                ],
            },
        )
        server.call("stock.picking", "action_confirm", [picking])
        server.call("stock.picking", "button_validate", [picking])
    elapsed = time.perf_counter() - start
    print(f"xmlrpc:  {m} events one by one in {elapsed:.1f} s -> {m / elapsed:.1f} events/s")
    return m / elapsed


def bench_backlog(server, depth, sample):
    """Rate of processing the first `sample` messages of a backlog of `depth`."""
    run = uuid.uuid4().hex[:6]
    code, eid, secret = make_endpoint(server, "batch")
    for s in range(0, depth, 1000):
        body = json.dumps({"events": [event(run, i) for i in range(s, min(depth, s + 1000))]})
        post(server.url, code, secret, body)
    start = time.perf_counter()
    handled = 0
    while handled < sample:
        done = server.call("hc.inbound.message", "process_pending", limit=200, endpoint_ids=[eid], time_budget=1)
        if not done:
            break
        handled += done
    elapsed = time.perf_counter() - start
    rate = handled / elapsed
    print(f"backlog: {depth:>7} waiting, first {handled} processed in {elapsed:.1f} s -> {rate:.1f} events/s")
    # leave no backlog behind: the batch cron would spend its time budget on it
    left = server.call(
        "hc.inbound.message", "search", [("endpoint_id", "=", eid), ("state", "in", ("received", "retry"))]
    )
    for s in range(0, len(left), 5000):
        server.call("hc.inbound.message", "action_cancel", left[s : s + 5000])
    return rate


def bench_audit_overhead(server, n, pairs):
    """The same queue run with the audit rules on and off, interleaved; rules restored at the end."""
    try:
        rules = server.call("hc.audit.rule", "search", [("active", "=", True)])
    except xmlrpc.client.Fault:
        print("audit:   healthcare_audit is not installed")
        return
    if not rules:
        print("audit:   no active audit rule: nothing to compare")
        return
    print(f"audit:   toggling {len(rules)} active audit rules")
    on, off = [], []
    try:
        for _ in range(pairs):
            on.append(bench_queue(server, n, label="audit on"))
            server.call("hc.audit.rule", "write", rules, {"active": False})
            off.append(bench_queue(server, n, label="audit off"))
            server.call("hc.audit.rule", "write", rules, {"active": True})
    finally:
        server.call("hc.audit.rule", "write", rules, {"active": True})
    on_rate, off_rate = statistics.median(on), statistics.median(off)
    print(
        f"audit:   median {on_rate:.1f} events/s audited vs {off_rate:.1f} not audited -> "
        f"overhead {100 * (off_rate / on_rate - 1):.1f}% (target <= 10%)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="hc_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("-n", type=int, default=5000, help="events through the queue")
    parser.add_argument("-m", type=int, default=200, help="events through XML-RPC one by one")
    parser.add_argument("--backlog", type=int, default=0, help="also compare a backlog of this depth with 1,000")
    parser.add_argument("--sample", type=int, default=1000, help="messages processed per backlog measurement")
    parser.add_argument("--audit-pairs", type=int, default=0, help="also measure the audit overhead, in P pairs")
    args = parser.parse_args()
    server = Server(args.url, args.db, args.login, args.password)
    queue = bench_queue(server, args.n)
    rpc = bench_xmlrpc(server, args.m)
    print(f"ratio:   queue / XML-RPC = {queue / rpc:.1f}x (target >= 30x)")
    if args.audit_pairs:
        bench_audit_overhead(server, args.n, args.audit_pairs)
    if args.backlog:
        small = bench_backlog(server, 1000, min(args.sample, 1000))
        large = bench_backlog(server, args.backlog, args.sample)
        print(f"backlog: rate at {args.backlog} = {100 * large / small:.0f}% of the rate at 1000 (target >= 80%)")


if __name__ == "__main__":
    main()
