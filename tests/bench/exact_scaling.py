#!/usr/bin/env python3
"""How `busbar match` scales with the number of EXACT rules.

Usage: exact_scaling.py BUSBAR DATA_FILE [--sizes 5,1000,100000] [--threads 1] [--repeat 3]

For each size N, writes N rules {"properties": {"MAPBLKLOT": [value]}}, half of them
on values drawn from the data (so they match) and half on values that never occur,
runs `busbar match --count --stats` over the citylots2 data and prints events/s.
Then measures, for the largest N on an empty input, the compile time (wall time of
the whole run, and busbar's own figure when --stats gives one) and the peak resident
memory of the process. Cost should not grow with N (DESIGN.md). Prints figures only.
"""
import argparse
import json
import os
import random
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import citylots_common  # noqa: E402


def data_values(path, limit):
    """Distinct MAPBLKLOT values of the data, in file order, at most `limit`."""
    values, seen = [], set()
    pattern = re.compile(rb'"MAPBLKLOT"\s*:\s*"([^"\\]*)"')
    with open(path, "rb") as fh:
        for line in fh:
            m = pattern.search(line)
            if m and m.group(1) not in seen:
                seen.add(m.group(1))
                values.append(m.group(1).decode())
                if len(values) >= limit:
                    break
    return values


def write_rules(path, n, pool, rng):
    hits = rng.sample(pool, min(len(pool), n - n // 2))
    misses = [f"NOMATCH{i:07d}" for i in range(n - len(hits))]
    values = hits + misses
    rng.shuffle(values)
    with open(path, "w") as fh:
        fh.write("{\n")
        fh.write(",\n".join(
            f'  "r{i}": {{"properties": {{"MAPBLKLOT": [{json.dumps(v)}]}}}}'
            for i, v in enumerate(values)))
        fh.write("\n}\n")
    return len(hits)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("busbar")
    ap.add_argument("data", help="citylots2.synthetic.json.gz (or its decompressed copy)")
    ap.add_argument("--sizes", default="5,1000,100000")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    data = citylots_common.decompressed(args.data)
    rng = random.Random(20260101)
    pool = data_values(data, max(sizes))

    print(f"{'rules':>8} {'matching rules':>14} {'events/s':>12} {'wall s':>8} {'peak RSS MiB':>12}")
    status = 0
    with tempfile.TemporaryDirectory(prefix="busbar-exact-") as tmp:
        empty = os.path.join(tmp, "empty.jsonl")
        open(empty, "w").close()
        files = {}
        for n in sizes:
            files[n] = os.path.join(tmp, f"exact-{n}.json")
            hits = write_rules(files[n], n, pool, rng)
            best, wall_best, rss = None, None, None
            for _ in range(args.repeat):
                rc, out, err, wall, peak = citylots_common.run_measured(
                    [args.busbar, "match", "--patterns", files[n], "--count", "--stats",
                     "--threads", str(args.threads), data])
                if rc != 0:
                    print(f"{n:8d}  busbar exited {rc}: {err.strip()[:300]}")
                    status = 1
                    break
                rate = citylots_common.parse_stats(err + "\n" + out).get(
                    "events_per_second", citylots_common.CITYLOTS2_LINES / wall)
                if best is None or rate > best:
                    best, wall_best, rss = rate, wall, peak
            if best is not None:
                print(f"{n:8d} {hits:14d} {best:12,.0f} {wall_best:8.2f} {rss / 1024:12.1f}",
                      flush=True)

        n = max(sizes)
        rc, out, err, wall, peak = citylots_common.run_measured(
            [args.busbar, "match", "--patterns", files[n], "--count", "--stats", empty])
        if rc != 0:
            print(f"compile {n} rules: busbar exited {rc}: {err.strip()[:300]}")
            return 1
        own = citylots_common.parse_stats(err + "\n" + out).get("compile_seconds")
        own_text = f", busbar's compile figure {own:.3f} s" if own is not None else ""
        print(f"compile {n:,} EXACT rules (empty input): wall {wall:.3f} s{own_text}, "
              f"peak RSS {peak / 1024:.1f} MiB")
    return status


if __name__ == "__main__":
    sys.exit(main())
