#!/usr/bin/env python3
"""Measures the server's reminders on the demo city with a year of cases
(docs/perf.md, "The server's reminders"), on SQLite and PostgreSQL:

- a scheduler pass (`tiaojie remind`): every unit's reminders computed,
  claimed and sent to a local webhook sink; then the same pass again, when
  everything is already claimed;
- escalation: a running server, a phone pushes a new case marked high
  risk, and the township office polls its inbox until the item is there;
  the item's stored time minus the moment the push was sent, 20 times.

Needs the release build (`cargo leptos build --release --precompress
--split`) and the machine's PostgreSQL. Prints numbers; asserts nothing.

    python3 scripts/perf-reminders.py
"""

import datetime
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/tiaojie")
PASSWORD = "tiaojie2023"
MEDIATOR, OFFICE = "13800000001", "13900000002"


class Sink(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Sink.count += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=60) as res:
        text = res.read()
        return json.loads(text) if text else None


def login(base, phone):
    device = str(uuid.uuid4())
    answer = call(f"{base}/api/v1/auth/login", "POST",
                  {"phone": phone, "password": PASSWORD, "device_id": device, "device_name": "perf"})
    return answer["token"], device


def escalation_latency(base, rounds=20):
    token, device = login(base, MEDIATOR)
    office, _ = login(base, OFFICE)
    cursor, cases = 0, []
    while True:
        page = call(f"{base}/api/v1/sync/pull?cursor={cursor}&limit=1000", token=token)
        cases += [c for c in page["changes"] if c["entity"] == "case" and not c["deleted"]]
        if page["cursor"] == cursor or not page["changes"]:
            break
        cursor = page["cursor"]
    # a real village's demo cases are closed by now: register new ones,
    # each a copy of one, freshly received and marked high risk
    template = cases[0]["payload"]
    times, seq = [], 0
    for _ in range(rounds):
        case = dict(template, id=str(uuid.uuid4()), seq=None, status="registered", risk="high",
                    sessions=[], outcome=None, agreed_terms="", performance=None, closed_on=None,
                    follow_up=None, attachments=[], forms=[], archived=False, recorded=False,
                    approved_amount=None, version=0)
        case.pop("server_verdict", None)
        case.pop("risk_assessment", None)
        c = {"version": 0}
        seq += 1
        sent_at = time.time()
        started = time.perf_counter()
        answer = call(f"{base}/api/v1/sync/push", "POST", {
            "client_id": device,
            "mutations": [{"seq": seq, "mutation_id": str(uuid.uuid4()), "entity": "case",
                           "entity_id": case["id"], "op": "upsert", "base_version": c["version"],
                           "payload": case}],
        }, token=token)
        pushed = time.perf_counter()
        assert answer["results"][0]["status"] != "rejected", answer
        # polled gently (the per-device rate limit); the item's own
        # timestamp says when it was stored, on this machine's clock
        while True:
            inbox = call(f"{base}/api/v1/inbox", token=office)
            item = next((i for i in inbox["items"] if i["case_id"] == case["id"]), None)
            if item:
                break
            time.sleep(0.1)
        stored = datetime.datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")).timestamp()
        times.append(((pushed - started) * 1000, (stored - sent_at) * 1000))
    return times


def run(label, url):
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn",
               TIAOJIE_WEBHOOK_URL=f"http://127.0.0.1:{SINK_PORT}/hook",
               TIAOJIE_WEBHOOK_SECRET="perf-secret-0123456789",
               TIAOJIE_REMIND_HOURS="0-24", TIAOJIE_NO_WEB_PUSH="true")
    subprocess.run([BIN, "seed-demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    for name in ("first pass (claims and sends)", "second pass (all claimed)"):
        Sink.count = 0
        out = subprocess.run([BIN, "remind"], env=env, check=True, capture_output=True, text=True).stdout
        print(f"{label} {name}: {out.strip()} — webhook POSTs {Sink.count}")
    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--addr", f"127.0.0.1:{port}",
                               "--remind-every-secs", "0"], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                call(f"{base}/healthz")
                break
            except Exception:
                time.sleep(0.1)
        times = escalation_latency(base)
        push = sorted(t[0] for t in times)
        seen = sorted(t[1] for t in times)
        print(f"{label} escalation, {len(times)} new high-risk cases pushed one by one: push answered in "
              f"median {statistics.median(push):.1f} ms; in the office's inbox (stored) "
              f"median {statistics.median(seen):.1f} ms, max {seen[-1]:.1f} ms after the push was sent")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    if not os.path.exists(BIN):
        sys.exit("build first: cargo leptos build --release --precompress --split")
    SINK_PORT = free_port()
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", SINK_PORT), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite://{tmp}/perf.db")
    schema = f"perf_{uuid.uuid4().hex[:8]}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(psql + [f"CREATE SCHEMA {schema}"], check=True)
    try:
        run("postgres", f"postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D{schema}")
    finally:
        subprocess.run(psql + [f"DROP SCHEMA {schema} CASCADE"], check=True, stderr=subprocess.DEVNULL)
