#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run Molecule scenarios in turn (make molecule). Each scenario's output is also kept in .cache/molecule/,
# and on the first failure the lines that say why are repeated last: molecule's own recap names only the
# failed step, and a CI log is usually read from its tail.
# Each scenario prints its time against its budget (12 minutes), and the run its total: `make test` as a whole
# must stay under 60 minutes on a 2-core machine (CI stops at 90).
#   tests/molecule.sh SCENARIO...
set -uo pipefail
logs=.cache/molecule
budget=720
mkdir -p "$logs"
total_start=$SECONDS
for scenario in "$@"; do
    echo ">>> molecule scenario $scenario"
    start=$SECONDS
    molecule test -s "$scenario" 2>&1 | tee "$logs/$scenario.log"
    rc=${PIPESTATUS[0]}
    took=$((SECONDS - start))
    verdict="within its budget of $budget s"
    [ "$took" -le "$budget" ] || verdict="OVER its budget of $budget s"
    echo ">>> molecule scenario $scenario: exit $rc after $took s, $verdict"
    if [ "$rc" -ne 0 ]; then
        echo ">>> why $scenario failed (whole output: $logs/$scenario.log):"
        grep -E -A8 'fatal: |failed: \[|FAILED!|^FAILED |^FAIL |^E   |^Error: ' "$logs/$scenario.log" | tail -n 120
        exit "$rc"
    fi
done
echo ">>> molecule: $# scenarios in $((SECONDS - total_start)) s"
