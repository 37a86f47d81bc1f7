"""Flowdeck's engine beside DBOS Transact, in one run, on the same PostgreSQL server and settings.

    . /tmp/peers/env.sh          # the peers' cluster (../shared/bench/peers: setup.sh, seed.sh)
    .venv/bin/python bench/engine_vs_dbos.py [--reps 3] [--runs 1000] [--singles 100]
        [--backends postgres,sqlite] [--peers /tmp/peers] [--baseline DIR]

Both run against the peers' PostgreSQL cluster (127.0.0.1:$PGPORT, PostgreSQL's durable
defaults: fsync and synchronous_commit on), flowdeck in database `fd_engine` (emptied
first), DBOS in its own system database; on SQLite each uses a file of its own. The two
alternate, `--reps` times, so a noisy machine slows both alike. Printed per backend: the
median single 5-step run p50 and p99 (flowdeck: create_run to RUN_COMPLETED committed; DBOS:
start_workflow + get_result), steps/s for N workflows started together (DBOS with threads,
its fastest mode), and flowdeck / DBOS ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOWDECK_LATENCY = re.compile(r"latency of a single 5-step run .*: p50 ([\d.]+) ms, p99 ([\d.]+) ms")
FLOWDECK_THROUGHPUT = re.compile(r"throughput: .* = \d+ runs/s, (\d+) steps/s")
DBOS_LATENCY = re.compile(r"start_workflow\+get_result p50 ([\d.]+) ms p99 ([\d.]+) ms")
DBOS_THROUGHPUT = re.compile(r"threads rep \d+: .* wf/s, (\d+) steps/s")


def run(command: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def flowdeck(
    backend: str, runs: int, singles: int, port: str, sqlite_dir: str, root: Path = ROOT
) -> tuple[float, float, float]:
    if backend == "postgres":
        url = f"postgres://postgres@127.0.0.1:{port}/fd_engine"
    else:
        path = Path(sqlite_dir) / "flowdeck.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite://{path}"
    out = run(
        [
            sys.executable,
            str(root / "bench" / "engine.py"),
            "--database-url",
            url,
            "--runs",
            str(runs),
            "--singles",
            str(singles),
        ]
    )
    latency = FLOWDECK_LATENCY.search(out)
    throughput = FLOWDECK_THROUGHPUT.search(out)
    assert latency and throughput, out
    return float(latency[1]), float(latency[2]), float(throughput[1])


def dbos(backend: str, runs: int, singles: int, peers: Path) -> tuple[float, float, float]:
    (peers / "results").mkdir(exist_ok=True)
    out = run(
        [
            str(peers / ".venv" / "bin" / "python"),
            str(peers / "bench_dbos.py"),
            "--backend",
            backend,
            "--workflows",
            str(runs),
            "--reps",
            "1",
            "--latency-n",
            str(singles),
            "--modes",
            "latency,threads",
        ],
        env={**os.environ},
    )
    latency = DBOS_LATENCY.search(out)
    throughput = DBOS_THROUGHPUT.search(out)
    assert latency and throughput, out
    return float(latency[1]), float(latency[2]), float(throughput[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=100)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--peers", default=os.environ.get("BENCH_DIR", "/tmp/peers"))
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also measure the flowdeck checkout in DIR, in the same alternation (before/after), "
        "e.g. DIR made by `git archive main | tar -x -C DIR`",
    )
    args = parser.parse_args()
    peers = Path(args.peers)
    port = os.environ.get("PGPORT", "55432")
    with tempfile.TemporaryDirectory(prefix="flowdeck-vs-dbos-") as sqlite_dir:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            ours: list[tuple[float, float, float]] = []
            theirs: list[tuple[float, float, float]] = []
            before: list[tuple[float, float, float]] = []
            for rep in range(args.reps):
                if args.baseline is not None:
                    before.append(flowdeck(backend, args.runs, args.singles, port, sqlite_dir, args.baseline))
                    print(
                        f"{backend} rep {rep + 1}: baseline p50 {before[-1][0]:.1f} ms, {before[-1][2]:.0f} steps/s",
                        flush=True,
                    )
                ours.append(flowdeck(backend, args.runs, args.singles, port, sqlite_dir))
                theirs.append(dbos(backend, args.runs, args.singles, peers))
                print(
                    f"{backend} rep {rep + 1}: flowdeck p50 {ours[-1][0]:.1f} ms, {ours[-1][2]:.0f} steps/s; "
                    f"DBOS p50 {theirs[-1][0]:.1f} ms, {theirs[-1][2]:.0f} steps/s",
                    flush=True,
                )
            mine = [statistics.median(column) for column in zip(*ours, strict=True)]
            peer = [statistics.median(column) for column in zip(*theirs, strict=True)]
            print(f"\n{backend}: medians of {args.reps} alternating repetitions")
            print("| | single-run p50 | p99 | steps/s (N together) |")
            print("|---|---:|---:|---:|")
            if before:
                base = [statistics.median(column) for column in zip(*before, strict=True)]
                print(f"| flowdeck, baseline ({args.baseline}) | {base[0]:.1f} ms | {base[1]:.1f} ms | {base[2]:.0f} |")
                print(
                    f"| baseline / DBOS | {base[0] / peer[0]:.2f}x | {base[1] / peer[1]:.2f}x | "
                    f"{base[2] / peer[2]:.2f}x |"
                )
            print(f"| flowdeck | {mine[0]:.1f} ms | {mine[1]:.1f} ms | {mine[2]:.0f} |")
            print(f"| DBOS 3.4 | {peer[0]:.1f} ms | {peer[1]:.1f} ms | {peer[2]:.0f} |")
            print(
                f"| flowdeck / DBOS | {mine[0] / peer[0]:.2f}x | {mine[1] / peer[1]:.2f}x | "
                f"{mine[2] / peer[2]:.2f}x |\n",
                flush=True,
            )


if __name__ == "__main__":
    main()
