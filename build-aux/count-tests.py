#!/usr/bin/env python3
# Prints one line, "N passed, N failed" (", N skipped" when some were), from
# the meson test logs of the build directories given. A TAP test counts each
# of its cases; cases it never reached count as failed; a build with no log
# counts as one failure.
import json
import re
import sys

passed = failed = skipped = 0

for build in sys.argv[1:]:
    try:
        with open(build + '/meson-logs/testlog.json') as log:
            entries = [json.loads(line) for line in log if line.strip()]
    except OSError:
        failed += 1
        continue

    for entry in entries:
        ok = entry['result'] in ('OK', 'EXPECTEDFAIL', 'SKIP')
        stdout = entry.get('stdout') or ''
        cases = re.findall(r'^(not ok|ok)\b(.*)$', stdout, re.M)
        plan = re.search(r'^1\.\.(\d+)', stdout, re.M)

        if not cases and not plan:
            if entry['result'] == 'SKIP':
                skipped += 1
            elif ok:
                passed += 1
            else:
                failed += 1
            continue

        for verdict, rest in cases:
            if verdict == 'not ok':
                failed += 1
            elif '# SKIP' in rest:
                skipped += 1
            else:
                passed += 1
        missing = int(plan.group(1)) - len(cases) if plan else 0
        failed += max(missing, 0)
        # Every case passed, yet the program failed (a leak found at exit).
        if not ok and missing <= 0 and all(v == 'ok' for v, _ in cases):
            failed += 1

line = '%d passed, %d failed' % (passed, failed)
if skipped:
    line += ', %d skipped' % skipped
print(line)
