"""Logs by time. Run: cargo build --release && python3 benches/logs.py [--quick]

Two figures, both through the real binary:

1. The time index's size beside its log, as the server writes it: a session with two apps, one
   flooding typical log lines (a timestamp-free web-server style line of 60-140 bytes) and one
   printing a line every few milliseconds, each writing a few megabytes; the index size is
   read from disk after `appmux flush`.
2. `appmux logs APP -t SESSION --since 1h` over a 1 GB rotated log set: ten files of 100 MB
   (the live log and nine rotated ones) with their indexes, spanning a week of lines, left on
   disk as a stopped session leaves them. The set is written by this script in the index's
   documented format (see src/logs/index.rs: a full entry `0, offset, time`, then varint
   deltas), because a real server can only stamp lines with the time they arrive. The command
   runs cold and warm (the page cache holds the files either way after the first run; a
   benchmark that dropped caches would need root) and its output goes to a pipe that is
   drained and counted, so the figure includes printing what was selected.

Options: --quick (100 MB instead of 1 GB), --appmux PATH (default target/release/appmux),
--runs N (default 7), --keep. Only the Python standard library is used.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

WEEK_MS = 7 * 24 * 3600 * 1000
HOUR_MS = 3600 * 1000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def env_for(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPMUX", "XDG_"))}
    for d in ("run", "state", "config"):
        os.makedirs(os.path.join(home, d), mode=0o700, exist_ok=True)
    env.update(
        {
            "XDG_RUNTIME_DIR": os.path.join(home, "run"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "LANG": "C.UTF-8",
        }
    )
    return env


def run(binary, env, *args, timeout=60):
    return subprocess.run(
        [binary, *args], env=env, capture_output=True, text=True, timeout=timeout, check=True
    ).stdout


def wait_until(what, pred, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def typical_line(rng, i):
    path = rng.choice(["/", "/api/users", "/api/orders/%d" % rng.randrange(10**6), "/static/app.js"])
    return '10.0.%d.%d - - "%s %s HTTP/1.1" %d %d %.3fms req=%08x' % (
        rng.randrange(256),
        rng.randrange(256),
        rng.choice(["GET", "GET", "POST"]),
        path,
        rng.choice([200, 200, 200, 304, 404, 500]),
        rng.randrange(100000),
        rng.random() * 50,
        i,
    )


def index_size(binary, home, quick):
    """Index bytes against log bytes as the server writes them."""
    env = env_for(home)
    proj = os.path.join(home, "idx")
    os.makedirs(proj)
    rng = random.Random(7)
    lines = 20000 if quick else 100000
    flood = os.path.join(proj, "flood.txt")
    with open(flood, "w") as f:
        for i in range(lines):
            f.write(typical_line(rng, i) + "\n")
    # Paced: a line every ~2 ms, so that most entries carry a time delta.
    paced_n = 1000 if quick else 4000
    paced = os.path.join(proj, "paced.sh")
    with open(paced, "w") as f:
        f.write("i=0\nwhile [ $i -lt %d ]; do\n" % paced_n)
        f.write('  echo "worker tick $i: processed batch of jobs in queue default ok"\n')
        f.write("  i=$((i+1)); sleep 0.002\ndone\necho paced-done\nexec sleep 1000\n")
    with open(os.path.join(proj, "appmux.toml"), "w") as f:
        f.write('session = "idx"\n')
        f.write('[[app]]\nname = "flood"\ncmd = "cat flood.txt; echo flood-done; exec sleep 1000"\n')
        f.write('log = { max_size = "1GB" }\n')
        f.write('[[app]]\nname = "paced"\ncmd = "sh paced.sh"\nlog = { max_size = "1GB" }\n')
    subprocess.run(
        [binary, "new", "-d", "-c", os.path.join(proj, "appmux.toml")],
        cwd=proj,
        env=env,
        check=True,
        capture_output=True,
    )
    try:
        apps = {}
        for name, done in (("flood", "flood-done"), ("paced", "paced-done")):
            def log_file():
                report = json.loads(run(binary, env, "ls", "--json"))
                for s in report["sessions"]:
                    for a in s["apps"]:
                        if a["name"] == name:
                            return a["log_file"]
                return None

            path = wait_until(f"{name}'s log file", log_file)
            wait_until(
                f"{name} to finish",
                lambda: done in run(binary, env, "logs", name, "-t", "idx", "-n", "3"),
                timeout=300,
            )
            log_bytes = os.path.getsize(path)
            idx_bytes = os.path.getsize(path + ".idx")
            apps[name] = {
                "log_bytes": log_bytes,
                "index_bytes": idx_bytes,
                "index_pct": 100.0 * idx_bytes / log_bytes,
            }
            log(f"  {name}: {apps[name]}")
        return apps
    finally:
        subprocess.run([binary, "kill-server"], env=env, capture_output=True)


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return out


def write_set(path, total, files, span_ms, now_ms, rng):
    """`files` log files of total/files bytes each (path.N oldest first ... path), lines spread
    evenly over `span_ms` up to `now_ms`, each with its index."""
    per_file = total // files
    start = now_ms - span_ms
    written = 0
    i = 0
    names = [f"{path}.{k}" for k in range(files - 1, 0, -1)] + [path]
    for name in names:
        data = bytearray()
        idx = bytearray()
        last = None
        while len(data) < per_file:
            line = (typical_line(rng, i) + "\n").encode()
            # Times by position in the set, so the set ends now whatever the line lengths.
            ms = start + span_ms * (written + len(data)) // total
            if last is None:
                idx += b"\0" + varint(len(data)) + varint(ms)
            else:
                idx += varint(len(data) - last[0]) + varint(ms - last[1])
            last = (len(data), ms)
            data += line
            i += 1
        written += len(data)
        with open(name, "wb") as f:
            f.write(data)
        with open(name + ".idx", "wb") as f:
            f.write(idx)
    return i


def since_query(binary, home, quick, runs):
    env = env_for(home)
    # Where a stopped session's logs live: start one, read its log path, stop the server.
    proj = os.path.join(home, "set")
    os.makedirs(proj)
    with open(os.path.join(proj, "appmux.toml"), "w") as f:
        f.write('session = "big"\n[[app]]\nname = "api"\ncmd = "exec sleep 1000"\n')
    subprocess.run(
        [binary, "new", "-d", "-c", os.path.join(proj, "appmux.toml")],
        cwd=proj,
        env=env,
        check=True,
        capture_output=True,
    )
    report = json.loads(run(binary, env, "ls", "--json"))
    path = report["sessions"][0]["apps"][0]["log_file"]
    subprocess.run([binary, "kill-server"], env=env, capture_output=True)
    total = (100 if quick else 1000) * 1000 * 1000
    files = 10
    log(f"  writing {total / 1e6:.0f} MB in {files} files with their indexes ...")
    now_ms = int(time.time() * 1000)
    lines = write_set(path, total, files, WEEK_MS, now_ms, random.Random(3))
    set_bytes = sum(
        os.path.getsize(f"{path}.{k}") for k in range(1, files)
    ) + os.path.getsize(path)
    idx_bytes = sum(os.path.getsize(f"{path}.{k}.idx") for k in range(1, files)) + os.path.getsize(
        path + ".idx"
    )
    expect = lines * HOUR_MS // WEEK_MS  # lines are spread evenly over the bytes
    times = []
    out_lines = 0
    for r in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(
            [binary, "logs", "api", "-t", "big", "--since", "1h"],
            env=env,
            capture_output=True,
            check=True,
        )
        times.append((time.perf_counter() - t0) * 1000)
        out_lines = p.stdout.count(b"\n")
    log(f"  --since 1h: {out_lines} lines (about {expect} expected), runs {[round(x, 1) for x in times]} ms")
    if abs(out_lines - expect) > expect * 0.05 + 5:
        raise SystemExit(f"--since 1h printed {out_lines} lines, expected about {expect}")
    # The same command reading everything, for scale: what a scan of the set costs.
    t0 = time.perf_counter()
    full = subprocess.run(
        [binary, "logs", "api", "-t", "big", "--since", "8d"],
        env=env,
        capture_output=True,
        check=True,
    )
    scan_ms = (time.perf_counter() - t0) * 1000
    return {
        "set_bytes": set_bytes,
        "set_index_bytes": idx_bytes,
        "lines": lines,
        "since_1h_lines": out_lines,
        "since_1h_ms_median": statistics.median(times),
        "since_1h_ms_first": times[0],
        "since_8d_every_line_ms": scan_ms,
        "since_8d_lines": full.stdout.count(b"\n"),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--appmux", default="target/release/appmux")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.appmux)
    root = tempfile.mkdtemp(prefix="appmux-logs-bench-")
    try:
        log("index size, as the server writes it:")
        sizes = index_size(binary, os.path.join(root, "a"), args.quick)
        log("--since over a rotated set:")
        query = since_query(binary, os.path.join(root, "b"), args.quick, args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            log(f"kept {root}")
    gb = query["set_bytes"] / 1e9
    print("| Logs by time | appmux | target |")
    print("|---|---|---|")
    for name, s in sizes.items():
        ok = "met" if s["index_pct"] < 10 else "**missed**"
        print(
            f"| index size, {name} app ({s['log_bytes'] / 1e6:.1f} MB log) "
            f"| {s['index_pct']:.2f}% of the log | < 10% ({ok}) |"
        )
    ok = "met" if query["since_1h_ms_median"] < 200 else "**missed**"
    print(
        f"| `logs --since 1h` over {gb:.2f} GB in 10 files ({query['since_1h_lines']} lines selected) "
        f"| {query['since_1h_ms_median']:.1f} ms (first run {query['since_1h_ms_first']:.1f} ms) | < 200 ms ({ok}) |"
    )
    print(
        f"| for scale: `logs --since 8d`, every one of {query['since_8d_lines']} lines "
        f"| {query['since_8d_every_line_ms']:.0f} ms | |"
    )
    print(json.dumps({"index": sizes, "since": query}, indent=1))


if __name__ == "__main__":
    main()
