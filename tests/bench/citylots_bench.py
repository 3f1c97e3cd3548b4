#!/usr/bin/env python3
"""CityLots throughput of `busbar match`, beside the peers' figures (measured on this machine kind with their own harnesses).

Usage: citylots_bench.py BUSBAR RULESETS_JSON DATA_FILE [--threads 1,2] [--repeat 3]

Runs every CityLots rule set whose data is citylots2 (event-ruler's and quamina's;
quamina's `shellstyle` is run as EventBridge's `wildcard`) through
`busbar match --count --stats --threads N`, keeps the best of --repeat runs and
prints events per second. Targets: at least quamina's figure for the sets quamina
runs, at least 5x event-ruler's for the others. Prints figures only; asserts nothing
about speed (a run with wrong counts is reported, since its speed means nothing).
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import citylots_common  # noqa: E402

# Published single-thread events/s of the peers on the real CityLots data.
QUAMINA = {"EXACT": 2_110_000, "PREFIX": 1_850_000, "WILDCARD": 1_790_000,
           "EQUALS_IGNORE_CASE": 1_450_000, "ANYTHING_BUT": 517_000}
EVENT_RULER = {"SUFFIX": 309_000, "NUMERIC": 186_000, "ANYTHING_BUT_PREFIX": 204_000,
               "ANYTHING_BUT_SUFFIX": 202_000, "ANYTHING_BUT_WILDCARD": 200_000,
               "COMPLEX_ARRAYS": 38_000, "PARTIAL_COMBO": 63_000, "COMBO": 24_000}


def canonical(name):
    """quamina's set names spelled as event-ruler's (SHELLSTYLE is WILDCARD)."""
    name = name.replace("-", "_")
    return "WILDCARD" if name == "SHELLSTYLE" else name


def target(name):
    """(peer label, peer events/s, required multiple) or None."""
    key = canonical(name)
    if key in QUAMINA:
        return ("quamina", QUAMINA[key], 1)
    if key in EVENT_RULER:
        return ("event-ruler", EVENT_RULER[key], 5)
    return None


def fmt_rate(value):
    return "-" if value is None else f"{value:,.0f}"


def measure(busbar, patterns, data, threads, repeat, names, expected):
    """Best events/s over `repeat` runs, and a problem string or None."""
    best = None
    for _ in range(repeat):
        cmd = [busbar, "match", "--patterns", patterns, "--count", "--stats",
               "--threads", str(threads), data]
        rc, out, err, wall, _ = citylots_common.run_measured(cmd)
        if rc != 0:
            return None, f"exit code {rc}: {err.strip()[:300]}"
        try:
            counts = citylots_common.parse_counts(out, names)
        except ValueError as e:
            return None, f"unreadable --count output: {e}"
        wrong = [n for i, n in enumerate(names) if counts[n] != expected[str(i)]]
        if wrong:
            return None, "wrong counts for " + ", ".join(wrong)
        stats = citylots_common.parse_stats(err + "\n" + out)
        rate = stats.get("events_per_second")
        if rate is None:  # fall back on wall time, start-up included
            rate = citylots_common.CITYLOTS2_LINES / wall
        best = rate if best is None else max(best, rate)
    return best, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("busbar")
    ap.add_argument("rulesets")
    ap.add_argument("data", help="citylots2.synthetic.json.gz (or its decompressed copy)")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is kept")
    ap.add_argument("--only", help="comma-separated rule set names")
    args = ap.parse_args()

    threads = [int(t) for t in args.threads.split(",") if t]
    data = citylots_common.decompressed(args.data)
    sets = [r for r in citylots_common.load_rulesets(args.rulesets)
            if r["data_file"] == citylots_common.CITYLOTS2
            and r["source"] in ("event-ruler", "quamina")]
    if args.only:
        wanted = set(args.only.split(","))
        sets = [r for r in sets if r["name"] in wanted]

    head = f"{'set':26} {'source':11} {'rules':>5}"
    for t in threads:
        head += f" {'ev/s ' + str(t) + ' thr':>13}"
    head += f" {'peer ev/s':>21} {'target':>6} {'ratio':>7}  note"
    print(head)
    print("-" * len(head))
    problems = 0
    with tempfile.TemporaryDirectory(prefix="busbar-bench-") as tmp:
        for rs in sets:
            names = rs["pattern_names"]
            patterns = os.path.join(tmp, f"{rs['source']}-{rs['name']}.json")
            citylots_common.write_patterns(rs, patterns, translate_shellstyle=True)
            rates, note = [], ""
            for t in threads:
                rate, problem = measure(args.busbar, patterns, data, t, args.repeat, names,
                                        rs["expected_matches"])
                rates.append(rate)
                if problem:
                    note = problem
                    problems += 1
                    break
            rates += [None] * (len(threads) - len(rates))
            row = f"{rs['name']:26} {rs['source']:11} {len(names):5d}"
            for rate in rates:
                row += f" {fmt_rate(rate):>13}"
            tgt = target(rs["name"])
            if tgt and rates[0] is not None:
                label, peer, multiple = tgt
                ratio = rates[0] / peer
                row += f" {label + ' ' + fmt_rate(peer):>21} {'>=' + str(multiple) + 'x':>6}"
                row += f" {ratio:6.2f}x"
                if not note:
                    note = "meets target" if ratio >= multiple else "below target"
            else:
                row += f" {'-':>21} {'-':>6} {'-':>7}"
            print(row + ("  " + note if note else ""), flush=True)
    print("ratio = busbar events/s on 1 thread (first --threads entry) / peer events/s; "
          "peer figures: each peer's own harness on the same generated file, on this machine kind.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
