#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Filter tests through real Ansible:
#   1. targets/filters/playbook.yml on localhost: every filter's happy and error paths, as assert tasks
#      named "Test: ..." (one test per assert, or per loop item);
#   2. ansible-doc renders every filter in plugins/filter/ and the contract's modules, without warnings, and lists
#      each filter as loadable;
#   3. what `ansible-doc -t role` shows of each role equals its builder's option table (role_docs.py).
# Prints one line per test and ends with "integration: N passed, M failed"; exits non-zero on any failure.
# Run from anywhere; uses the repository's .venv when there is one, else ansible from PATH.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
if [[ -x .venv/bin/ansible-playbook ]]; then
    PATH="$root/.venv/bin:$PATH"
fi
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; }

# --- 1. the playbook ---------------------------------------------------------------------------------------
ansible-playbook -i localhost, tests/integration/targets/filters/playbook.yml >"$log" 2>&1
rc=$?
# Each "ok"/"failed" result line under a "TASK [Test: ...]" header is one test.
while IFS=$'\t' read -r status name; do
    if [[ $status == ok ]]; then pass "$name"; else fail "$name"; fi
done < <(awk '
    /^TASK \[/ { task = $0; sub(/^TASK \[/, "", task); sub(/\] \**$/, "", task); next }
    task !~ /^Test: / { next }
    /^ok: \[localhost\]/ || /^(fatal|failed): \[localhost\]/ {
        status = ($1 == "ok:") ? "ok" : "failed"
        item = ""
        if (match($0, /\(item=.*\)/)) item = " " substr($0, RSTART, RLENGTH)
        printf "%s\t%s%s\n", status, task, item
    }' "$log")
if [[ $rc -ne 0 ]]; then
    fail "ansible-playbook targets/filters/playbook.yml exited $rc"
    echo "----- last 80 lines of the ansible-playbook output -----"
    tail -n 80 "$log"
    echo "---------------------------------------------------------"
fi

# --- 2. ansible-doc ----------------------------------------------------------------------------------------
listing=$(ansible-doc -t filter -l ipv6only.datacenter 2>&1)
for file in plugins/filter/*.py; do
    name=ipv6only.datacenter.$(basename "$file" .py)
    if ansible-doc -t filter "$name" >"$log" 2>&1 && ! grep -qE '^\[(WARNING|ERROR)\]' "$log" \
        && grep -q "^> FILTER $name " "$log"; then
        pass "ansible-doc -t filter $name renders"
    else
        fail "ansible-doc -t filter $name renders"
        cat "$log"
    fi
    if grep -qE "^$name[[:space:]]" <<<"$listing"; then
        pass "ansible-doc -t filter -l lists $name (the plugin loads)"
    else
        fail "ansible-doc -t filter -l lists $name (the plugin loads)"
        printf '%s\n' "$listing"
    fi
done

for module in node_addresses consent role_config site_plan; do
    name=ipv6only.datacenter.$module
    if ansible-doc -t module "$name" >"$log" 2>&1 && ! grep -qE '^\[(WARNING|ERROR)\]' "$log"; then
        pass "ansible-doc -t module $name renders"
    else
        fail "ansible-doc -t module $name renders"
        cat "$log"
    fi
done

# --- 3. role docs: what ansible-doc shows is each builder's option table ------------------------------------------
while IFS= read -r line; do
    case $line in
        PASS*) pass "${line#PASS  }" ;;
        FAIL*) fail "${line#FAIL  }" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < <(python3 tests/integration/role_docs.py 2>&1)

echo "integration: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
