"""HTTP load: gunicorn (2 workers) with a real Redis, an 800-word article, cached and uncached, vs a bare echo app.

Run: python -m bench.http_load [--seconds 15]
Needs wrk and redis-server (Debian packages). Only ever targets 127.0.0.1. Prints a table and writes it to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
ARTICLE_WORDS = 800
WORKERS = 2


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def article() -> str:
    with (SHARED / "uncertainty/factbank_news_dev.jsonl").open(encoding="utf-8") as handle:
        sentences = [json.loads(line)["text"] for line in handle]
    words, chosen = 0, []
    for sentence in sentences[200:]:
        chosen.append(" ".join(sentence.split()))
        words += len(sentence.split())
        if words >= ARTICLE_WORDS:
            break
    return " ".join(chosen)


@contextmanager
def process(command: list[str], env: dict[str, str], ready_url: str | None = None):
    proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while ready_url and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(ready_url, timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def lua_script(body_prefix: str, body_suffix: str, distinct: bool) -> str:
    """A wrk script posting the article; with ``distinct``, each request's text differs (thread id and counter)."""
    counter = 'counter = counter + 1\n  local body = prefix .. id .. "-" .. counter .. " " .. suffix' if distinct else "local body = prefix .. suffix"
    return f"""counter = 0
id = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("id", made)
end
prefix = [==[{body_prefix}]==]
suffix = [==[{body_suffix}]==]
request = function()
  {counter}
  return wrk.format("POST", "/analyze", {{["Content-Type"] = "application/json"}}, body)
end
response = function(status, headers, body)
  if status ~= 200 and not reported then
    reported = true
    io.stderr:write("first error: " .. status .. " " .. string.sub(body, 1, 200) .. "\\n")
  end
end
"""


def run_wrk(base: str, script: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency"]
    completed = subprocess.run([*command, "-s", handle.name, base], capture_output=True, text=True)
    if completed.returncode:
        sys.exit(f"wrk failed: {completed.stderr or completed.stdout}")
    output = completed.stdout
    os.unlink(handle.name)

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    if errors:
        print(completed.stderr.strip(), file=sys.stderr)
    return {"p50": ms("50"), "p99": ms("99"), "rps": rps, "errors": errors}


def worker_rss_mb(master_pid: int) -> list[float]:
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != master_pid:
                continue
            rss = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("VmRSS"))
            sizes.append(int(rss.split()[1]) / 1024)
        except (OSError, StopIteration):
            continue
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool}")
    text = article()
    body = json.dumps({"text": text})
    prefix, suffix = body[:10], body[10:]  # '{"text": "' then the article: distinct texts get a counter in front
    redis_port, app_port, echo_port = free_port(), free_port(), free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    env = {"HOST": "127.0.0.1", "WEB_CONCURRENCY": str(WORKERS), "RATE_LIMIT": "off"}
    rows = []
    with tempfile.TemporaryDirectory() as redis_dir, \
         process(["redis-server", "--port", str(redis_port), "--save", "", "--dir", redis_dir], {}), \
         process([*gunicorn, "service.web.wsgi:app"], {**env, "PORT": str(app_port), "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"},
                 f"http://127.0.0.1:{app_port}/health") as app, \
         process([*gunicorn, "bench.echo_app:app"], {**env, "PORT": str(echo_port)}, f"http://127.0.0.1:{echo_port}/analyze"):
        time.sleep(1)
        base, echo = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{echo_port}"
        urllib.request.urlopen(urllib.request.Request(base + "/analyze", data=body.encode(), headers={"Content-Type": "application/json"}))
        cases = [
            ("echo endpoint (ceiling)", echo, lua_script(prefix, suffix, False), 4),
            ("Sourcewise cached (same text)", base, lua_script(prefix, suffix, False), 4),
            ("Sourcewise uncached (distinct texts), 1 connection: latency", base, lua_script(prefix, suffix, True), 1),
            ("Sourcewise uncached (distinct texts), 8 connections", base, lua_script(prefix, suffix, True), 8),
        ]
        for label, url, script, connections in cases:
            rows.append((label, connections, run_wrk(url, script, args.seconds, connections)))
        rss = worker_rss_mb(app.pid)
    echo_p50 = rows[0][2]["p50"]
    cached, uncached = rows[1][2], rows[2][2]
    lines = [
        f"Article: {len(text.split())} words; gunicorn {WORKERS} gthread workers, real Redis; wrk, {args.seconds} s per row, 127.0.0.1.",
        "",
        "| case | connections | p50 ms | p99 ms | requests/s | errors |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {label} | {c} | {r['p50']:.1f} | {r['p99']:.1f} | {r['rps']:.1f} | {r['errors']} |" for label, c, r in rows]
    total_errors = sum(r["errors"] for _, _, r in rows)
    lines += [
        "",
        f"RSS per worker after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}.",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| cached p50 within 3× the echo endpoint | {cached['p50'] / echo_p50:.2f}× | {'yes' if cached['p50'] <= 3 * echo_p50 else 'no'} |",
        f"| uncached 800-word p50 ≤ 60 ms | {uncached['p50']:.1f} ms | {'yes' if uncached['p50'] <= 60 else 'no'} |",
        f"| zero errors | {total_errors} | {'yes' if total_errors == 0 else 'no'} |",
        f"| RSS per worker ≤ 350 MB | {max(rss) if rss else 0:.0f} MB | {'yes' if rss and max(rss) <= 350 else 'no'} |",
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("http", "HTTP under load", table)


if __name__ == "__main__":
    main()
