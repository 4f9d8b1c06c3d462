#!/usr/bin/env python3
"""Score a vblint binary on a labelled passage file (tests/corpus format).

Usage: python3 tests/heldout/score.py PATH/TO/vblint tests/corpus/blind.toml [--per-rule]

Each passage's text is piped to `vblint check --format jsonl --quotes info --no-config -`.
Scoring follows tests/corpus.rs: per passage, an expected rule that fired on a
match outside quotations is one true positive, an expected rule that did not
is one false negative, and a rule that fired outside quotations but is not
expected is one false positive. A rule that fires several times in a passage
counts once; findings reported with "quoted": true never count. Totals are
summed over passages.

Also reported: passage-level recall (positive passages with any unquoted
finding), the share of negative passages with any unquoted finding, and a
breakdown per group. The group is read from the note ("group: X; ..."),
because the corpus Case struct denies unknown keys; a `group` key is also
accepted if present.
"""

import collections
import json
import re
import subprocess
import sys
import tomllib


def run(binary, text):
    proc = subprocess.run(
        [binary, "check", "--format", "jsonl", "--quotes", "info", "--no-config", "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        cwd="/",
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"vblint failed ({proc.returncode}): {proc.stderr.decode()}")
    findings = []
    for line in proc.stdout.decode("utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("type") == "finding":
            findings.append(obj)
    return findings


def group_of(case):
    if "group" in case:
        return case["group"]
    m = re.match(r"\s*group:\s*([^;]+);", case.get("note") or "")
    return m.group(1).strip() if m else "(none)"


def one_line(s):
    return " ".join(s.split())


class Counts:
    def __init__(self):
        self.passages = self.pos = self.neg = 0
        self.tp = self.fp = self.fn = 0
        self.pos_hit = self.neg_flagged = 0

    def p(self):
        d = self.tp + self.fp
        return self.tp / d if d else float("nan")

    def r(self):
        d = self.tp + self.fn
        return self.tp / d if d else float("nan")


def fmt(x):
    return "   -  " if x != x else f"{x:6.3f}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    per_rule = "--per-rule" in sys.argv
    if len(args) != 2:
        raise SystemExit(__doc__)
    binary, path = args
    with open(path, "rb") as f:
        cases = tomllib.load(f)["case"]

    total = Counts()
    groups = collections.OrderedDict()
    rules = collections.defaultdict(Counts)
    fns, fps = [], []
    quoted_only = 0
    for case in cases:
        text = case["text"]
        expected = set(case["expect"])
        fired, quoted = collections.defaultdict(list), collections.defaultdict(list)
        for f in run(binary, text):
            m = one_line(f["text"])
            target = quoted if f.get("quoted") else fired
            if m not in target[f["rule"]]:
                target[f["rule"]].append(m)
        g = group_of(case)
        gc = groups.setdefault(g, Counts())
        for c in (total, gc):
            c.passages += 1
            if expected:
                c.pos += 1
                c.pos_hit += bool(fired)
            else:
                c.neg += 1
                c.neg_flagged += bool(fired)
        for rule in sorted(expected):
            if rule in fired:
                for c in (total, gc, rules[rule]):
                    c.tp += 1
            else:
                for c in (total, gc, rules[rule]):
                    c.fn += 1
                if rule in quoted:
                    quoted_only += 1
                    why = "only inside quotation marks: " + ", ".join(quoted[rule])
                else:
                    why = "did not fire"
                other = "; fired instead: " + ", ".join(
                    f"{r}={fired[r]}" for r in sorted(fired) if r not in expected
                ) if any(r not in expected for r in fired) else ""
                fns.append((case["id"], g, rule, why + other, one_line(text)))
        for rule in sorted(fired):
            if rule not in expected:
                for c in (total, gc, rules[rule]):
                    c.fp += 1
                fps.append((case["id"], g, rule, ", ".join(fired[rule]), one_line(text)))

    print(f"file: {path}   binary: {binary}")
    print(f"passages: {total.passages} (positives {total.pos}, negatives {total.neg})")
    print(f"rule level:   TP {total.tp}  FP {total.fp}  FN {total.fn}   "
          f"precision {total.p():.3f}   recall {total.r():.3f}")
    print(f"passage recall (positives with any unquoted finding): "
          f"{total.pos_hit}/{total.pos} = {total.pos_hit / max(total.pos, 1):.3f}")
    print(f"negatives flagged (any unquoted finding): "
          f"{total.neg_flagged}/{total.neg} = {total.neg_flagged / max(total.neg, 1):.3f}")
    print()
    hdr = f"{'group':34} {'pass':>4} {'pos':>4} {'neg':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6} {'pos-hit':>7} {'neg-flag':>8}"
    print(hdr)
    print("-" * len(hdr))
    for g in sorted(groups):
        c = groups[g]
        ph = f"{c.pos_hit}/{c.pos}" if c.pos else "-"
        nf = f"{c.neg_flagged}/{c.neg}" if c.neg else "-"
        print(f"{g[:34]:34} {c.passages:4} {c.pos:4} {c.neg:4} {c.tp:4} {c.fp:4} {c.fn:4} "
              f"{fmt(c.p())} {fmt(c.r())} {ph:>7} {nf:>8}")
    print("-" * len(hdr))
    print(f"{'TOTAL':34} {total.passages:4} {total.pos:4} {total.neg:4} {total.tp:4} {total.fp:4} "
          f"{total.fn:4} {fmt(total.p())} {fmt(total.r())} "
          f"{str(total.pos_hit) + '/' + str(total.pos):>7} {str(total.neg_flagged) + '/' + str(total.neg):>8}")
    if per_rule:
        print()
        print(f"{'rule':28} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6}")
        for r in sorted(rules):
            c = rules[r]
            print(f"{r:28} {c.tp:4} {c.fp:4} {c.fn:4} {fmt(c.p())} {fmt(c.r())}")
    print()
    print(f"FALSE NEGATIVES ({len(fns)}; {quoted_only} only inside quotation marks)")
    for cid, g, rule, why, text in fns:
        print(f"  {cid} [{g}] {rule}: {why}\n      | {text[:220]}")
    print()
    print(f"FALSE POSITIVES ({len(fps)})")
    for cid, g, rule, matched, text in fps:
        print(f"  {cid} [{g}] {rule}: {matched}\n      | {text[:220]}")


if __name__ == "__main__":
    main()
