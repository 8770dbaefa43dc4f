#!/usr/bin/env python3
"""HR master-data benchmark: a nightly batch of departments and employees through the queue.

    ./hc run --workers 2 &
    python3 tests/bench_hr_batch.py --url http://127.0.0.1:8069 --db hc_demo --employees 2000

Prints, for one run: the time from the first 202 to the last 'done' of the batch (new records:
departments, employees, users), then of the same content re-sent under new message ids (no
change: nothing is written), in messages per second. Figures only: nothing asserts a timing.
"""

import argparse
import json
import time
import uuid

from bench_processing import Server, make_endpoint, post


def batch(tag, employees, departments, prefix="hr"):
    out = [
        {
            "id": f"{prefix}-d{i}-{tag}",
            "type": "hr.department",
            "code": f"BD{i}-{tag}",
            "name": f"Dept {i}",
            "parent": f"BD0-{tag}" if i else None,
        }
        for i in range(departments)
    ]
    out += [
        {
            "id": f"{prefix}-e{i}-{tag}",
            "type": "hr.employee",
            "external_id": f"BE{i}-{tag}",
            "name": f"Employee {i}",
            "work_email": f"be{i}.{tag}@bench.example",
            "department": f"BD{i % departments}-{tag}",
            "manager": f"BE0-{tag}" if i else None,
        }
        for i in range(employees)
    ]
    return out


def run_batch(server, code, secret, endpoint_id, events, chunk=1000):
    started = time.monotonic()
    for i in range(0, len(events), chunk):
        post(server.url, code, secret, json.dumps({"events": events[i : i + chunk]}))
    while True:
        left = server.call(
            "hc.inbound.message",
            "search_count",
            [["endpoint_id", "=", endpoint_id], ["state", "in", ["received", "processing", "retry"]]],
        )
        if not left:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8069")
    ap.add_argument("--db", default="hc_demo")
    ap.add_argument("--login", default="admin")
    ap.add_argument("--password", default="admin")
    ap.add_argument("--employees", type=int, default=1000)
    ap.add_argument("--departments", type=int, default=50)
    args = ap.parse_args()
    server = Server(args.url, args.db, args.login, args.password)
    code, eid, secret = make_endpoint(server, "realtime")
    tag = uuid.uuid4().hex[:6]
    events = batch(tag, args.employees, args.departments)
    n = len(events)
    first = run_batch(server, code, secret, eid, events)
    print(f"new:       {n} messages in {first:.1f} s ({n / first:.0f}/s)")
    again = run_batch(server, code, secret, eid, batch(tag, args.employees, args.departments, prefix="again"))
    print(f"no change: {n} messages in {again:.1f} s ({n / again:.0f}/s)")
    failed = server.call("hc.inbound.message", "search_count", [["endpoint_id", "=", eid], ["state", "!=", "done"]])
    print(f"not done:  {failed}")


if __name__ == "__main__":
    main()
