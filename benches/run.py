#!/usr/bin/env python3
"""The bench suite in one table (run through `benches/run.sh`; loopback only).

Measures, never asserts:
- the seed suite's wall time, embedded server start included (median of 5 runs);
- 1,000 generated scenarios (copies of the four seeds with unique names) at several --jobs:
  wall time, scenarios/s, CPU per scenario, peak RSS, and whether every scenario passed;
- notification latency of the official CometD JS client and of the harness against the same
  `gws-contract serve`, and the ratio of their medians;
- the matcher against assert-json-diff (`cargo bench --bench matcher_vs_assert_json_diff`).

The targets (issue 11) are printed beside each figure so a regression reads at a glance.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "gws-contract"
SEEDS = ["complete", "leave", "remove-participant-from-conference", "set-disposition"]
GENERATED = 1000
JOBS = [16, 64, 256, 512]
# `verify`'s default --jobs (src/suite/jobs.rs), marked in the table.
DEFAULT_JOBS = 64
LATENCY_ROUNDS = 300
ENV = dict(os.environ, CI="true", NO_COLOR="1")


def run(args, **kwargs):
    """Runs `args`, returning (exit code, stdout, stderr, wall seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, **kwargs)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    return process.returncode, stdout.decode(), stderr.decode(), wall


def run_measured(args):
    """Like `run`, with the child's own peak RSS (KiB) and CPU seconds from wait4."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    # The outputs of a -q run are a few lines: reading after wait4 cannot block on a full pipe.
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stdout = process.stdout.read().decode()
    stderr = process.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    return code, stdout, stderr, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def seed_copy(seed, name, extra=""):
    text = (ROOT / "scenarios" / "facebook" / f"{seed}.yaml").read_text()
    lines = []
    for line in text.split("\n"):
        if line.startswith("name: "):
            lines.append(f"name: {name}")
            lines.extend(x for x in [extra] if x)
        else:
            lines.append(line)
    return "\n".join(lines)


def summary_line(stdout):
    match = re.search(r"^(\d+) scenario\(s\): (\d+) passed, (\d+) failed, (\d+) errored", stdout, re.M)
    return match


def seed_suite():
    args = [str(BINARY), "verify", "-q"] + [f"scenarios/facebook/{s}.yaml" for s in SEEDS]
    walls = []
    for _ in range(5):
        code, stdout, stderr, wall = run(args, cwd=ROOT)
        if code != 0:
            sys.exit(f"the seed suite failed (exit {code}):\n{stdout}{stderr}")
        walls.append(wall)
    return statistics.median(walls)


def generated(tmp):
    scenarios = tmp / "generated"
    scenarios.mkdir()
    for i in range(GENERATED):
        seed = SEEDS[i % len(SEEDS)]
        name = f"{i:04}-{seed}"
        (scenarios / f"{name}.yaml").write_text(seed_copy(seed, name))
    rows = []
    for jobs in JOBS:
        args = [str(BINARY), "verify", "-q", "--jobs", str(jobs), "--golden", str(tmp / "no-goldens"), str(scenarios)]
        code, stdout, stderr, wall, rss_kib, cpu = run_measured(args)
        match = summary_line(stdout)
        if match and code == 0:
            result = "all pass"
        elif match:
            result = f"**{match[3]} failed, {match[4]} errored** (exit {code})"
        else:
            result = f"**exit {code}**: {(stderr or stdout).strip().splitlines()[-1:]}"
        rows.append((jobs, wall, GENERATED / wall, cpu / GENERATED * 1000, rss_kib / 1024, result))
    return rows


def start_server():
    server = subprocess.Popen(
        [str(BINARY), "serve", "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    line = server.stdout.readline().decode()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        server.kill()
        sys.exit(f"`gws-contract serve` did not say where it listens: {line!r}")
    return server, match[0]


def js_latency(base):
    process = subprocess.run(
        ["node", "bench-latency.mjs"],
        cwd=ROOT / "tests" / "interop",
        env=dict(ENV, BASE=base, ROUNDS=str(LATENCY_ROUNDS)),
        capture_output=True,
        text=True,
    )
    if process.returncode != 0:
        sys.exit(f"the JS client bench failed (exit {process.returncode}):\n{process.stdout}{process.stderr}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def harness_latency(tmp, base, round_no):
    # The same interval as the JS client's: Complete sent -> StatusChange received, one
    # scenario at a time, on one client. `settle: 0ms` because nothing else is awaited.
    scenarios = tmp / f"latency-{round_no}"
    scenarios.mkdir()
    for i in range(LATENCY_ROUNDS):
        name = f"latency-{round_no}-{i:04}"
        (scenarios / f"{name}.yaml").write_text(seed_copy("complete", name, "settle: 0ms"))
    report = tmp / f"latency-{round_no}.json"
    args = [
        str(BINARY), "verify", "-q", "--jobs", "1", "--target", base,
        "--golden", str(tmp / "no-goldens"), "--report-json", str(report), str(scenarios),
    ]
    code, stdout, stderr, _ = run(args)
    if code != 0:
        sys.exit(f"the harness latency run failed (exit {code}):\n{stdout}{stderr}")
    return json.loads(report.read_text())["summary"]["latency"]


def latency(tmp):
    server, base = start_server()
    try:
        js, harness = [], []
        # Alternating, so both see the same server state and machine load.
        for round_no in range(2):
            js.append(js_latency(base))
            harness.append(harness_latency(tmp, base, round_no))
    finally:
        server.terminate()
        server.wait()
    return (
        statistics.mean(r["p50_ms"] for r in js),
        statistics.mean(r["p95_ms"] for r in js),
        statistics.mean(r["p50_ms"] for r in harness),
        statistics.mean(r["p95_ms"] for r in harness),
    )


def matcher():
    process = subprocess.run(
        ["cargo", "bench", "--locked", "--bench", "matcher_vs_assert_json_diff"],
        cwd=ROOT, capture_output=True, text=True, env=ENV,
    )
    if process.returncode != 0:
        sys.exit(f"the matcher bench failed:\n{process.stderr[-2000:]}")
    rows = []
    for line in process.stdout.splitlines():
        match = re.match(r"^(.+?)\s{2,}(\S+)\s+(\S+)\s+([\d.]+)×$", line)
        if match:
            rows.append((match[1].strip(), match[2], match[3], float(match[4])))
    return rows


def main():
    if not BINARY.exists():
        sys.exit(f"{BINARY} is missing: run benches/run.sh, which builds it")
    with tempfile.TemporaryDirectory(prefix="gws-contract-bench-") as tmp:
        tmp = Path(tmp)
        print(f"gws-contract bench suite ({os.cpu_count()} CPUs, release build)\n")
        seed = seed_suite()
        print("| measure | result | target |")
        print("|---|---|---|")
        print(f"| seed suite (4 scenarios) wall, server start included | {seed * 1000:.0f} ms | ≤ 500 ms |")
        for jobs, wall, rate, cpu_ms, rss_mib, result in generated(tmp):
            print(
                f"| {GENERATED} generated scenarios, --jobs {jobs}{' (default)' if jobs == DEFAULT_JOBS else ''} | {wall:.2f} s, {rate:.0f} scenarios/s, "
                f"{cpu_ms:.2f} ms CPU each, {rss_mib:.0f} MB peak RSS, {result} | ≥ 200/s, ≤ 150 MB, no failure |"
            )
        js50, js95, h50, h95 = latency(tmp)
        print(
            f"| notification latency, official CometD JS client | p50 {js50:.2f} ms, p95 {js95:.2f} ms | |"
        )
        print(
            f"| notification latency, gws-contract | p50 {h50:.2f} ms, p95 {h95:.2f} ms, "
            f"**{h50 / js50:.2f}×** the JS client's p50 | ≤ 1.0× |"
        )
        for case, ours, theirs, ratio in matcher():
            print(f"| matcher: {case} | {ours} vs assert-json-diff {theirs}: **{ratio:.1f}×** faster | ≥ 3× |")


if __name__ == "__main__":
    main()
