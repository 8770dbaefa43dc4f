#!/usr/bin/env python3
"""Ingestion benchmark: signed single POSTs and batches against a running Odoo, next to a trivial route.

    ./hc run --workers 2 &                       # or any server with the suite installed
    python3 tests/bench_ingest.py --url http://127.0.0.1:8069 --db hc_demo

Prints requests/s and latency percentiles for (1) a trivial Odoo JSON route, (2) signed single
POSTs of canonical events, (3) batches of events (events/s), and the ratios. The endpoint it
creates is a batch-mode one, so ingestion is measured without processing competing for the CPU.
Figures only: nothing here asserts a timing.
"""

import argparse
import json
import sys
import threading
import time
import uuid
import xmlrpc.client
from datetime import datetime, timezone

import requests
from standardwebhooks.webhooks import Webhook


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_load(name, make_request, total, concurrency):
    """Send ``total`` requests from ``concurrency`` threads; return (req/s, latencies ms, errors)."""
    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        session = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            try:
                resp = make_request(session, i)
                ok = resp.status_code < 300
            except requests.RequestException as exc:
                ok, resp = False, exc
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(getattr(resp, "status_code", str(resp)))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    rate = total / wall
    print(
        f"{name:<28} {total:>7} req  {rate:>9.1f} req/s  p50 {percentile(latencies, 50):7.1f} ms  "
        f"p95 {percentile(latencies, 95):7.1f} ms  p99 {percentile(latencies, 99):7.1f} ms  errors {len(errors)}"
    )
    if errors:
        print(f"    first errors: {errors[:5]}")
    return rate, latencies, errors


def event(i, run):
    return {
        "id": f"bench-{run}-{i}",
        "type": "inventory.consumption",
        "schema_version": "1.0",
        "occurred_at": "2026-11-23T07:41:39Z",
        "source": {"system": "bench", "facility": "GENHOSP"},
        "location": "ICU-CAB-07",
        "item": {"code": "NS-1000"},
        "quantity": 1,
        "uom": "EA",
        "lot": "L2411A",
        "expiry": "2027-05-31",
        "patient_ref": f"MRN-{i}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="hc_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--requests", type=int, default=2000, help="single POSTs (and trivial requests)")
    parser.add_argument("--batches", type=int, default=20, help="number of batches")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    uid = common.authenticate(args.db, args.login, args.password, {})
    if not uid:
        sys.exit("cannot log in: check --db/--login/--password")
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)
    run = uuid.uuid4().hex[:8]
    code = f"bench-{run}"
    endpoint_id = models.execute_kw(
        args.db,
        uid,
        args.password,
        "hc.endpoint",
        "create",
        [
            {
                "name": code,
                "code": code,
                "sync_mode": "batch",
                "max_body_bytes": 50 * 1024 * 1024,
                "max_batch_events": max(1000, args.batch_size),
                "batch_interval_minutes": 100000,
            }
        ],
    )
    secret = models.execute_kw(args.db, uid, args.password, "hc.endpoint", "generate_secret", [[endpoint_id]])
    hook = Webhook(secret)
    post_url = f"{args.url}/hc/v1/endpoints/{code}/messages"

    def signed(session, body):
        wid = f"msg_{uuid.uuid4().hex}"
        now = datetime.now(tz=timezone.utc)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": wid,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": hook.sign(wid, now, body),
        }
        return session.post(post_url, data=body.encode(), headers=headers, timeout=120)

    print(f"server {args.url} db {args.db}, concurrency {args.concurrency}")
    trivial_body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}})
    # warm up every worker
    run_load(
        "warm-up",
        lambda s, i: s.post(
            f"{args.url}/web/webclient/version_info",
            data=trivial_body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        ),
        200,
        args.concurrency,
    )
    trivial, _, _ = run_load(
        "trivial JSON route",
        lambda s, i: s.post(
            f"{args.url}/web/webclient/version_info",
            data=trivial_body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        ),
        args.requests,
        args.concurrency,
    )
    single, _, _ = run_load(
        "signed single POST", lambda s, i: signed(s, json.dumps(event(i, run))), args.requests, args.concurrency
    )
    batches = [
        json.dumps({"events": [event(f"b{b}-{i}", run) for i in range(args.batch_size)]}) for b in range(args.batches)
    ]
    batch_rate, _, _ = run_load(
        f"batch of {args.batch_size}", lambda s, i: signed(s, batches[i]), args.batches, min(args.concurrency, 4)
    )
    print()
    print(
        f"single POST: {single:.0f} req/s vs trivial route {trivial:.0f} req/s -> "
        f"trivial/single = {trivial / single:.2f}x (target <= 2x)"
    )
    print(f"batches: {batch_rate * args.batch_size:.0f} events/s (target >= 5000)")
    stored = models.execute_kw(
        args.db, uid, args.password, "hc.inbound.message", "search_count", [[("endpoint_id", "=", endpoint_id)]]
    )
    expected = args.requests + args.batches * args.batch_size
    print(f"stored messages: {stored} of {expected} sent")


if __name__ == "__main__":
    main()
