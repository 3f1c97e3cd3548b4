"""Shared helpers for the CityLots end-to-end test and benchmarks.

The data files are synthetic stand-ins for the CityLots files of aws/event-ruler
and quamina, made by tests/bench/citylots/gen_citylots.py (deterministic, ~50 s).
The rule sets and their expected match counts are tests/bench/citylots/rulesets.json.
"""
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CITYLOTS2 = "citylots2.synthetic.json.gz"
CITYLOTS2_LINES = 213068


def _count_lines(path):
    n = 0
    with gzip.open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 20)
            if not block:
                break
            n += block.count(b"\n")
    return n


def ensure_data(generator, data_dir):
    """Generates the CityLots data into data_dir unless a complete copy is there.

    A stamp file records the size of a file that was checked to hold every line,
    so later runs skip both the generator and the check.
    """
    os.makedirs(data_dir, exist_ok=True)
    path = os.path.join(data_dir, CITYLOTS2)
    stamp = path + ".ok"
    if os.path.exists(path):
        size = str(os.path.getsize(path))
        if os.path.exists(stamp) and open(stamp).read().strip() == size:
            return path
        if _count_lines(path) == CITYLOTS2_LINES:
            with open(stamp, "w") as fh:
                fh.write(size + "\n")
            return path
        print(f"{path}: incomplete, generating again", flush=True)
    print(f"generating CityLots data into {data_dir} (about a minute)...", flush=True)
    subprocess.run([sys.executable, generator, data_dir], check=True)
    if _count_lines(path) != CITYLOTS2_LINES:
        raise SystemExit(f"{path}: generator did not write {CITYLOTS2_LINES} lines")
    with open(stamp, "w") as fh:
        fh.write(f"{os.path.getsize(path)}\n")
    return path


def load_rulesets(path):
    with open(path) as fh:
        return json.load(fh)["rulesets"]


def write_patterns(ruleset, path, translate_shellstyle=False):
    """Writes {name: pattern, ...} in rule order, keeping each pattern's original text
    (numbers keep the peers' spelling). quamina's `shellstyle` is EventBridge's
    `wildcard` when translate_shellstyle is set."""
    entries = []
    for name, text in zip(ruleset["pattern_names"], ruleset["pattern_texts"]):
        if translate_shellstyle:
            text = text.replace('"shellstyle"', '"wildcard"')
        entries.append("  " + json.dumps(name) + ": " + text.strip())
    with open(path, "w") as fh:
        fh.write("{\n" + ",\n".join(entries) + "\n}\n")


def parse_counts(stdout, names):
    """Reads `busbar match --count` output: one "name<TAB>count" line per rule.

    Returns {name: count}. Raises ValueError naming the problem if a line has
    another shape, a rule is missing or repeated, or an unknown rule appears.
    """
    counts = {}
    for line in stdout.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.rpartition("\t")
        if not sep or not value.isdigit():
            raise ValueError(f"not a 'name<TAB>count' line: {line!r}")
        if name not in names or name in counts:
            raise ValueError(f"unexpected or repeated rule {name!r}")
        counts[name] = int(value)
    missing = [n for n in names if n not in counts]
    if missing:
        raise ValueError("no count for " + ", ".join(missing))
    return counts


def decompressed(path):
    """Returns a plain-text copy of a .gz data file (made once, beside it), so timings
    measure matching rather than gunzip."""
    if not path.endswith(".gz"):
        return path
    plain = path[:-3]
    if not os.path.exists(plain) or os.path.getmtime(plain) < os.path.getmtime(path):
        tmp = plain + ".tmp"
        with gzip.open(path, "rb") as src, open(tmp, "wb") as dst:
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block)
        os.replace(tmp, plain)
    return plain


def run_measured(cmd):
    """Runs cmd; returns (returncode, stdout, stderr, wall seconds, peak RSS in KiB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), wall, usage.ru_maxrss


def parse_stats(text):
    """Reads `busbar match --stats` figures ("key=value ..." on stderr) as a dict of
    floats, e.g. events, bytes, match_seconds, events_per_second."""
    stats = {}
    for key, value in re.findall(r"\b([a-z_]+)=([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)", text):
        stats[key] = float(value)
    return stats
