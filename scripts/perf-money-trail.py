#!/usr/bin/env python3
"""Measures a case's money trail (补助变动记录, GET /api/v1/cases/{id}/money;
docs/claims.md) on the demo city — a year of cases and its claims, the
finished quarters paid and received — on SQLite and PostgreSQL: the
bureau's business section reads the trail of every case of the finished
claims it sees (up to 100, one after another, as a clerk opening them
would, paced under the per-device limit of 10 a second), each answer
timed from the request to the last byte.

Needs the release build (`cargo leptos build --release --precompress
--split`) and the machine's PostgreSQL. Prints numbers; asserts only that
every answer is a trail that reaches the payment.

    python3 scripts/perf-money-trail.py
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/tiaojie")
PASSWORD = "tiaojie2023"
BUREAU = "13900000006"
CASES = 100


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read())


def run(label, url):
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn", TIAOJIE_NO_WEB_PUSH="true")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([BIN, "serve", "--demo-history", "--addr", f"127.0.0.1:{port}",
                               "--remind-every-secs", "0"], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(2400):
            try:
                call(f"{base}/healthz")
                break
            except Exception:
                time.sleep(0.1)
        token = call(f"{base}/api/v1/auth/login", body={
            "phone": BUREAU, "password": PASSWORD, "device_id": str(uuid.uuid4()), "device_name": "perf"})["token"]
        finished = [c for c in call(f"{base}/api/v1/claims", token) if c["stage"] == "finished"]
        cases = []
        for claim in finished:
            time.sleep(0.11)  # the per-device limit: 10 requests a second
            view = call(f"{base}/api/v1/claims/{claim['id']}", token)
            cases += [l["case_id"] for l in view["current"] if not l["returned"]]
            if len(cases) >= CASES:
                break
        cases = cases[:CASES]
        times, entries = [], []
        for case in cases:
            time.sleep(0.11)
            started = time.perf_counter()
            trail = call(f"{base}/api/v1/cases/{case}/money", token)
            times.append((time.perf_counter() - started) * 1000)
            kinds = [e["what"]["kind"] for e in trail["entries"]]
            assert "paid" in kinds and "claimed" in kinds, trail
            entries.append(len(kinds))
        times.sort()
        print(f"{label}: {len(times)} trails of cases in {len(finished)} finished claims, "
              f"{statistics.mean(entries):.1f} entries each (max {max(entries)}): "
              f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
              f"max {times[-1]:.1f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    if not os.path.exists(BIN):
        sys.exit("build first: cargo leptos build --release --precompress --split")
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite://{tmp}/perf.db")
    schema = f"perf_{uuid.uuid4().hex[:8]}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(psql + [f"CREATE SCHEMA {schema}"], check=True)
    try:
        run("postgres", f"postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D{schema}")
    finally:
        subprocess.run(psql + [f"DROP SCHEMA {schema} CASCADE"], check=True, stderr=subprocess.DEVNULL)
