#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run Molecule scenarios in turn (make molecule). Each scenario's output is also kept in .cache/molecule/,
# and on the first failure the lines that say why are repeated last: molecule's own recap names only the
# failed step, and a CI log is usually read from its tail.
#   tests/molecule.sh SCENARIO...
set -uo pipefail
logs=.cache/molecule
mkdir -p "$logs"
for scenario in "$@"; do
    echo ">>> molecule scenario $scenario"
    start=$SECONDS
    molecule test -s "$scenario" 2>&1 | tee "$logs/$scenario.log"
    rc=${PIPESTATUS[0]}
    echo ">>> molecule scenario $scenario: exit $rc after $((SECONDS - start)) s"
    if [ "$rc" -ne 0 ]; then
        echo ">>> why $scenario failed (whole output: $logs/$scenario.log):"
        grep -E -A8 'fatal: |failed: \[|FAILED!|^FAILED |^FAIL |^E   |^Error: ' "$logs/$scenario.log" | tail -n 120
        exit "$rc"
    fi
done
