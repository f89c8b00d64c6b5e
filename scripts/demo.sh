#!/usr/bin/env bash
# The README's demo: the guardrails judging compliant and non-compliant notebooks and Studio domains
# at every layer. Run through `make demo`, which installs what it needs first.
set -uo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n=== %s ===\n' "$*"; }
expect() {  # expect EXIT_CODE COMMAND...: run it, show its output, check its exit code
  local want=$1; shift
  printf '$ %s\n' "$*"
  "$@"; local got=$?
  if [ "$got" -ne "$want" ]; then
    printf 'demo: expected exit code %s, got %s\n' "$want" "$got" >&2; exit 1
  fi
  printf '(exit code %s, as expected)\n' "$got"
}
. scripts/moto_server.sh

section "CloudFormation templates: a compliant notebook passes"
expect 0 sm-guardrails check examples/templates/compliant.yaml
section "CloudFormation templates: a notebook with internet access is rejected"
expect 1 sm-guardrails check examples/templates/insecure.yaml

for part in scripts/demo_*.sh; do
  [ -e "$part" ] && . "$part"
done
printf '\ndemo: every layer gave the expected verdict\n'
