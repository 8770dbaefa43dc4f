# ruff: noqa: F821, E731
"""Overhead of the audit trail on message processing (run inside `odoo shell`, rolls back).

    python3 /opt/odoo18/odoo-bin shell -c <kept>/odoo.conf -d <db> --log-level=warn \
        < healthcare_audit/bench/bench_audit_overhead.py

Ingests 200 messages per run whose processor creates, confirms and validates a stock move
(the shipped rule records stock moves reaching 'done'), processes them with the stock rules
active or inactive, in 8 interleaved pairs, and prints the run times and the overhead of the
fastest runs. Needs the stock module.
"""

import hashlib
import json
import time
from unittest.mock import patch

from odoo.addons.healthcare_integration_base.lib import trust

Msg = env["hc.inbound.message"]
echo_cls = type(env["hc.processor.echo"])

STOCK = env.ref("stock.stock_location_stock").id
CUST = env.ref("stock.stock_location_customers").id
product = env["product.product"].create({"name": "Bench gauze", "type": "consu", "is_storable": True})


def bench(self, messages):
    out = {}
    Move = self.env["stock.move"]
    for msg in messages:
        move = Move.create(
            {
                "name": "bench",
                "product_id": product.id,
                "product_uom_qty": 1,
                "product_uom": product.uom_id.id,
                "location_id": STOCK,
                "location_dest_id": CUST,
            }
        )
        move._action_confirm()
        move.quantity = 1
        move.picked = True
        move._action_done()
        out[msg.id] = {"result_model": "stock.move", "result_ids": move.ids}
    return out


# the bench's processor: a message type registered as data, its processing done by `bench`
env["hc.message.type"].create({"name": "bench", "code": "bench.*", "processor_model": "hc.processor.echo"})
patch.object(echo_cls, "_process", bench).start()
ep = env["hc.endpoint"].create({"name": "bench", "code": "bench-ep"})
partners = env["res.partner"].create([{"name": f"B{i}"} for i in range(200)])
rule = env["hc.audit.rule"].search([("model", "in", ("stock.move", "stock.quant"))])
env.registry.clear_cache()
ctx = env["hc.endpoint"]._auth_context("bench-ep")
N = 200


def run(tag, k):
    docs = []
    for i in range(N):
        body = json.dumps({"p": partners[i % 200].id, "n": f"{tag}{k}-{i}"})
        docs.append(
            {
                "key": f"{tag}{k}-{i}",
                "body_hash": hashlib.sha256(body.encode()).hexdigest(),
                "message_type": "bench.x",
                "payload": body,
            }
        )
    Msg._ingest(ctx, docs, {"correlation_id": f"c{tag}{k}", "content_type": "application/json"})
    env.flush_all()
    t = time.perf_counter()
    n = Msg.process_pending(commit=False, limit=200)
    env.flush_all()
    return time.perf_counter() - t, n


res = {"on": [], "off": []}
for k in range(8):
    for tag, active in (("off", False), ("on", True)):
        with trust.audit_suspended():
            rule.active = active
        env.registry.clear_cache()
        dt, n = run(tag, k)
        res[tag].append(dt)
env.cr.execute("SELECT count(*) FROM hc_audit_event WHERE interface='webhook:bench-ep'")
print("events", env.cr.fetchone()[0])
on, off = [min(res["on"])], [min(res["off"])]
print("off", res["off"], "on", res["on"])
print("overhead (fastest runs) %.1f%%" % ((sum(on) / sum(off) - 1) * 100))
med = lambda xs: sorted(xs)[len(xs) // 2]
print("overhead (medians) %.1f%%" % ((med(res["on"]) / med(res["off"]) - 1) * 100))
env.cr.rollback()
