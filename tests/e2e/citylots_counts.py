#!/usr/bin/env python3
"""End-to-end: every event-ruler CityLots rule set gives the peers' match counts.

Usage: citylots_counts.py BUSBAR RULESETS_JSON GENERATOR DATA_DIR

Generates the synthetic citylots2 data into DATA_DIR once, then for each rule set
whose source is "event-ruler" writes a patterns file, runs
`busbar match --patterns FILE --count DATA` and compares each rule's count with
expected_matches. Prints one OK/FAIL line per set; exits 1 on any mismatch.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import citylots_common  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("busbar")
    ap.add_argument("rulesets")
    ap.add_argument("generator")
    ap.add_argument("data_dir")
    ap.add_argument("--only", help="comma-separated rule set names to run")
    args = ap.parse_args()

    data = citylots_common.ensure_data(args.generator, args.data_dir)
    sets = [r for r in citylots_common.load_rulesets(args.rulesets)
            if r["source"] == "event-ruler" and r["data_file"] == citylots_common.CITYLOTS2]
    if args.only:
        wanted = set(args.only.split(","))
        sets = [r for r in sets if r["name"] in wanted]
    if not sets:
        print("no rule sets selected")
        return 1

    failures = 0
    print(f"{'rule set':28} {'rules':>5} {'seconds':>8}  result")
    with tempfile.TemporaryDirectory(prefix="busbar-citylots-") as tmp:
        for rs in sets:
            names = rs["pattern_names"]
            patterns = os.path.join(tmp, rs["name"] + ".json")
            citylots_common.write_patterns(rs, patterns)
            cmd = [args.busbar, "match", "--patterns", patterns, "--count", data]
            start = time.monotonic()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            elapsed = time.monotonic() - start
            problems = []
            if proc.returncode != 0:
                problems.append(f"exit code {proc.returncode}: {proc.stderr.strip()[:500]}")
            else:
                try:
                    got = citylots_common.parse_counts(proc.stdout, names)
                except ValueError as e:
                    problems.append(f"unreadable --count output: {e}")
                    got = {}
                for i, name in enumerate(names):
                    want = rs["expected_matches"][str(i)]
                    if name in got and got[name] != want:
                        problems.append(f"{name}: got {got[name]} want {want}")
            status = "OK" if not problems else "FAIL"
            print(f"{rs['name']:28} {len(names):5d} {elapsed:8.1f}  {status}", flush=True)
            for p in problems:
                print(f"    {p}")
            if problems:
                failures += 1
                print(f"    command: {' '.join(cmd)}")
                print("    stdout (first lines): " + " | ".join(proc.stdout.splitlines()[:10]))

    print(f"{len(sets) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
