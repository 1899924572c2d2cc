"""Load on a real server over SaudiNewsNet: Flask's development server against gunicorn.

    flock /work/.bench.lock .venv/bin/python bench/bench_load.py [--index DIR] [--seconds 8]

Builds the index at --index once (``indexer reindex --if-changed``: later runs reuse it),
then for each server (``flask --app app run``, the old ``make run``; gunicorn with
``web/gunicorn_conf.py`` and its default workers/threads, the new one) and each concurrency
(1, 8, 32 clients, each sending its next request when the previous one is answered) sends
``/api/search`` requests for common words for --seconds after a one-second warm-up, and
reports requests per second, latency p50/p95/p99 and errors (non-200 answers, failures).
The client runs in this process (threads, one connection per request for both servers).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SOURCE = ROOT.parent / "shared" / "data" / "saudinewsnet"
if not SOURCE.exists():
    SOURCE = Path("/work/shared/data/saudinewsnet")
WORDS = ["السعودية", "اليمن", "الرياض", "الحوثيين", "داعش", "النفط", "مجلس الوزراء", "الملك", "الحرس الثوري",
         "عدن", "الاقتصاد", "وزارة الصحة"]
LEVELS = (1, 8, 32)


def ensure_index(index: Path, source: Path) -> None:
    subprocess.run([str(BIN / "indexer"), "reindex", "--if-changed", "-q", "--index", str(index), str(source)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, index: Path, log: Path, cache_mb: str):
    port = free_port()
    # The result cache off by default: 12 repeated words would measure the cache, not the server.
    env = {**os.environ, "SEARCH_INDEX": str(index), "SEARCH_LOG_FILE": str(log), "PORT": str(port),
           "HOST": "127.0.0.1", "SECRET_KEY": "bench", "SEARCH_CACHE_MB": cache_mb}
    cmd = ([str(BIN / "gunicorn"), "-c", "python:web.gunicorn_conf"] if kind == "gunicorn"
           else [str(BIN / "flask"), "--app", "app", "run", "--port", str(port)])
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/api/search?q=x", timeout=5).read()
            return proc, base
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{kind} did not start (exit {proc.poll()}; log {log})")


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def load(base: str, clients: int, seconds: float) -> dict:
    urls = [f"{base}/api/search?q={urllib.parse.quote(w)}" for w in WORDS]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + 1.0  # warm-up second: requests before it are not counted
    end_at = start_at + seconds

    def client(n: int) -> None:
        i = n
        while True:
            now = time.monotonic()
            if now >= end_at:
                return
            t0 = time.perf_counter()
            ok = True
            try:
                with urllib.request.urlopen(urls[i % len(urls)], timeout=60) as r:
                    r.read()
                    ok = r.status == 200
            except (OSError, urllib.error.URLError):
                ok = False
            elapsed = time.perf_counter() - t0
            i += 1
            if now >= start_at:  # started after the warm-up
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else float("nan")

    return {"clients": clients, "requests": len(lat), "rps": round(len(lat) / seconds, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "errors": errors[0],
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, default=Path("/work/scratch/13/snn-index"))
    ap.add_argument("--source", type=Path, default=SOURCE, help="archive to index (default SaudiNewsNet)")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--cache-mb", default="0", help="SEARCH_CACHE_MB of the servers (default 0: off)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "bench_load.json")
    args = ap.parse_args()
    args.json.parent.mkdir(parents=True, exist_ok=True)  # the servers' log files go there too
    t0 = time.monotonic()
    ensure_index(args.index, args.source)
    print(f"index ready in {time.monotonic() - t0:.1f} s ({args.index})", flush=True)
    from web.gunicorn_conf import default_workers

    results = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}, "source": str(args.source),
               "gunicorn": {"workers": int(os.environ.get("GUNICORN_WORKERS") or default_workers()),
                            "threads": int(os.environ.get("GUNICORN_THREADS") or 4)}, "runs": []}
    for kind in ("flask", "gunicorn"):
        proc, base = start(kind, args.index, args.json.with_name(f"bench_load_{kind}.log"), args.cache_mb)
        try:
            for clients in LEVELS:
                row = {"server": kind, **load(base, clients, args.seconds)}
                results["runs"].append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
        finally:
            stop(proc)
    results["machine"]["load_after"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print("\n| server | clients | req/s | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|")
    for r in results["runs"]:
        print(f"| {r['server']} | {r['clients']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
              f"| {r['errors']} |")
    print(f"\nload average before {results['machine']['load_before']}, after {results['machine']['load_after']}")


if __name__ == "__main__":
    main()
