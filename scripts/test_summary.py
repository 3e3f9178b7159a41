#!/usr/bin/env python3
"""Count what the test command ran, by suite, from meson's test log, the fuzz
summary, the interop summary (every interop-total line in it) and the
ThreadSanitizer build's test log, and print the closing line
'total: N passed, N failed'.

Each cmocka test case counts once ('[       OK ]' passed, '[  FAILED  ]' or
'[  ERROR   ]' failed); a test program that crashed or failed without cmocka
output counts as one failure. Skipped cases are reported, not passed."""
import json
import re
import sys


def cmocka_counts(text):
    ok = len(re.findall(r"^\[       OK \] ", text, re.M))
    failed = len(re.findall(r"^\[  (?:FAILED|ERROR)   ?\] (?!\d+ test)", text, re.M))
    skipped = len(re.findall(r"^\[  SKIPPED \] (?!\d+ test)", text, re.M))
    return ok, failed, skipped


def read_testlog(log, suites, suite_name=None):
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            # "signet:unit / base/cursor" -> "unit"
            suite = suite_name or t["name"].split(" / ", 1)[0].split(":", 1)[-1]
            ok, failed, skipped = cmocka_counts(t.get("stdout", "") or "")
            if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and failed == 0:
                failed = 1
                print(f"FAILED program: {t['name']} ({t['result']})")
            p, f_, s = suites.get(suite, (0, 0, 0))
            suites[suite] = (p + ok, f_ + failed, s + skipped)


def main():
    log = sys.argv[1]
    fuzz = sys.argv[2] if len(sys.argv) > 2 else None
    interop = sys.argv[3] if len(sys.argv) > 3 else None
    tsan = sys.argv[4] if len(sys.argv) > 4 else None
    suites = {}
    read_testlog(log, suites)
    if tsan:
        try:
            read_testlog(tsan, suites, "tsan")
        except OSError:
            print("tsan: no test log (the ThreadSanitizer tests did not run)")
            suites["tsan"] = (0, 1, 0)
    total_p = total_f = 0
    for name in sorted(suites):
        p, f_, s = suites[name]
        total_p, total_f = total_p + p, total_f + f_
        extra = f", {s} skipped" if s else ""
        print(f"{name}: {p} passed, {f_} failed{extra}")
    if fuzz:
        try:
            text = open(fuzz).read()
        except OSError:
            text = ""
        m = re.search(r"^fuzz-total: (\d+) targets, (\d+) corpus files replayed, "
                      r"(\d+) crashes", text, re.M)
        if m:
            targets, replayed, crashes = map(int, m.groups())
            print(f"fuzz: {targets} targets, {replayed} corpus files replayed, "
                  f"{crashes} crashes")
            total_p += targets - min(crashes, targets)
            total_f += crashes
        else:
            print("fuzz: no summary (fuzzing did not run)")
            total_f += 1
    if interop:
        try:
            text = open(interop).read()
        except OSError:
            text = ""
        runs = re.findall(r"^interop-total: (\d+) scripts, (\d+) passed, (\d+) failed, "
                          r"(\d+) skipped", text, re.M)
        if runs:
            # the suite, then the scripts run again against the TSan signetd
            scripts, p, f_, skipped = (sum(int(r[i]) for r in runs) for i in range(4))
            extra = f", {skipped} scripts skipped" if skipped else ""
            print(f"interop: {p} passed, {f_} failed ({scripts} scripts{extra})")
            total_p, total_f = total_p + p, total_f + f_
        else:
            print("interop: no summary (the interop suite did not run)")
            total_f += 1
    print(f"total: {total_p} passed, {total_f} failed")
    return 0 if total_f == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
