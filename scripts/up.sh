#!/usr/bin/env bash
# make up: build opsagent (compact progress), then run `opsagent up` — the embedded cluster,
# Prometheus when installed, the operator and the examples. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
mkdir -p .up
if ! command -v "$SWIFT" >/dev/null; then
  echo "Swift is not installed: see https://www.swift.org/install (Swift 6.2 or newer), then run make up again." >&2
  exit 1
fi
if ! pkg-config --exists libcurl 2>/dev/null && [ ! -e /usr/include/curl/curl.h ]; then
  echo "libcurl headers are missing: run 'make deps' (apt) first." >&2
  exit 1
fi
echo "▸ Building opsagent (swift build; full output in .up/build.log)…"
tty=0; [ -t 1 ] && tty=1
set +e
"$SWIFT" build --product opsagent 2>&1 | tee .up/build.log | awk -v tty="$tty" '
  /^\[[0-9]+\/[0-9]+\]/ { n++; if (tty) { printf "\r\033[K  %s", substr($0, 1, 100) } else if (n % 50 == 0) { print "  " $1 " compiling…" } fflush(); next }
  /error:/ { if (tty) printf "\r\033[K"; print; fflush() }
  END { if (tty) printf "\r\033[K" }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "The build failed; the end of .up/build.log:" >&2
  tail -n 30 .up/build.log >&2
  exit "$status"
fi
echo "ok  built .build/debug/opsagent"
exec .build/debug/opsagent up "$@"
