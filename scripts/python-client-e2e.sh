#!/usr/bin/env bash
# Runs the official Python client's own end-to-end tests (kubernetes-client/python,
# kubernetes/e2e_test) against the embedded cluster, and prints pytest's summary.
#
#   scripts/python-client-e2e.sh [--source DIR] [--tag v33.1.0] [pytest args…]
#
# The suite is not vendored. It is read from --source (a checkout of
# kubernetes-client/python, or a git repository holding the tag), or cloned from GitHub
# at --tag when the network allows. Its own `kubernetes` package (the client at that tag)
# is put first on PYTHONPATH, so the tests run with the client they were written for;
# their dependencies (urllib3, PyYAML, six, python-dateutil, websocket-client, google-auth,
# pytest) come from the environment (v33.1.0 imports google.auth unconditionally).
#
# The simulator is started from the debug build (`swift build` first), with a time scale
# of 0.1 so pods start quickly; its kubeconfig is put where the suite looks
# (~/.kube/config of a temporary HOME).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
tag="v33.1.0"
source_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --source) source_dir="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    *) break ;;
  esac
done

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The suite, at the tag.
suite="$work/python"
mkdir -p "$suite"
if [[ -n "$source_dir" && -d "$source_dir/.git" || -n "$source_dir" && -f "$source_dir/HEAD" ]]; then
  git -C "$source_dir" archive "$tag" kubernetes | tar -x -C "$suite"
elif [[ -n "$source_dir" ]]; then
  cp -R "$source_dir/kubernetes" "$suite/"
else
  git clone --quiet --depth 1 --branch "$tag" https://github.com/kubernetes-client/python "$suite"
fi
[[ -d "$suite/kubernetes/e2e_test" ]] || { echo "no kubernetes/e2e_test in the source at $tag" >&2; exit 2; }

# 2. The simulator.
binary="$here/.build/debug/opsagent"
[[ -x "$binary" ]] || { echo "build first: swift build (missing $binary)" >&2; exit 2; }
export HOME="$work/home"
mkdir -p "$HOME/.kube"
"$binary" sim --port 0 --kubeconfig-out "$HOME/.kube/config" --time-scale 0.1 > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 200); do
  [[ -s "$HOME/.kube/config" ]] && grep -q "server:" "$HOME/.kube/config" && break
  sleep 0.1
done
[[ -s "$HOME/.kube/config" ]] || { echo "the simulator did not start:" >&2; cat "$work/sim.log" >&2; exit 2; }

# 3. The suite, with its own client first on the path.
cd "$suite"
set +e
PYTHONPATH="$suite" python3 -m pytest -p no:cacheprovider -q -rfE kubernetes/e2e_test "$@"
status=$?
set -e
exit $status
