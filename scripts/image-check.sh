#!/usr/bin/env bash
# Proves the Dockerfile's build stage without a Docker engine: copies exactly the paths the
# build stage COPYs into an empty directory, runs its `swift …` RUN steps there (the same
# commands, /out mapped into the directory), then checks what the binary loads at run time
# against the runtime stage's packages. Prints the time the build took.
#
#   scripts/image-check.sh            # uses ./Dockerfile
#   KEEP=1 scripts/image-check.sh     # keeps the directory (its path is printed)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/opsagent-image-check.XXXXXX")
if [[ "${KEEP:-0}" != 1 ]]; then trap 'rm -rf "$work"' EXIT; fi
echo "image-check: build stage of Dockerfile in $work"

# The Dockerfile's instructions, continuation lines joined, one per line.
instructions=$(sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' Dockerfile | grep -v '^[[:space:]]*#' | sed 's/[[:space:]]\+/ /g')
stage=0
runtime_packages=""
while IFS= read -r line; do
  [[ -z "$line" ]] && continue
  keyword=${line%% *}
  rest=${line#* }
  case "$keyword" in
    FROM) stage=$((stage + 1)) ;;
    COPY)
      [[ $stage == 1 ]] || continue
      [[ "$rest" == --* ]] && { echo "image-check: COPY flags are not supported: $line" >&2; exit 1; }
      read -r -a args <<<"$rest"
      dest=${args[${#args[@]}-1]}
      for src in "${args[@]:0:${#args[@]}-1}"; do
        # The build stage's WORKDIR is the directory; a destination ending in / is a folder.
        if [[ "$dest" == */ ]]; then target="$work/$dest$(basename "$src")"; else target="$work/$dest"; fi
        mkdir -p "$(dirname "$target")"
        if [[ -d "$src" ]]; then cp -R "$src" "$target"; else cp "$src" "$target"; fi
        echo "image-check: COPY $src -> $dest"
      done
      ;;
    RUN)
      if [[ $stage == 1 && "$rest" == swift* ]]; then
        command=${rest//\/out\//$work\/out\/}
        echo "image-check: RUN $rest"
        [[ "${DRY_RUN:-0}" == 1 ]] && continue
        start=$(date +%s)
        (cd "$work" && bash -euo pipefail -c "$command")
        echo "image-check: took $(( $(date +%s) - start ))s"
      elif [[ $stage == 2 && "$rest" == *"apt-get install"* ]]; then
        runtime_packages=$(sed -e 's/.*apt-get install[^&]*--no-install-recommends //' -e 's/&&.*//' <<<"$rest")
      fi
      ;;
  esac
done <<<"$instructions"

if [[ "${DRY_RUN:-0}" == 1 ]]; then find "$work" -maxdepth 2 | sed "s|$work|  .|"; echo "image-check: runtime packages: $runtime_packages"; exit 0; fi
binary="$work/out/opsagent"
[[ -x "$binary" ]] || { echo "image-check: the build stage did not produce /out/opsagent" >&2; exit 1; }
"$binary" version
echo "image-check: runtime packages: $runtime_packages"
echo "image-check: shared libraries the binary loads:"
ldd "$binary" | sed 's/^/  /'
if ldd "$binary" | grep -q 'not found'; then echo "image-check: a library is missing" >&2; exit 1; fi
if ldd "$binary" | grep -q 'libswift\|libFoundation\|libdispatch'; then
  echo "image-check: the Swift runtime is linked dynamically, but the runtime image has none" >&2; exit 1
fi
if ldd "$binary" | grep -q libyaml && [[ "$runtime_packages" != *libyaml* ]]; then
  echo "image-check: the binary loads libyaml, which the runtime image lacks" >&2; exit 1
fi
if ldd "$binary" | grep -q libcurl && [[ "$runtime_packages" != *libcurl4* ]]; then
  echo "image-check: the binary loads libcurl, which the runtime image lacks" >&2; exit 1
fi
ls -l "$binary" | awk '{printf "image-check: opsagent is %.1f MiB\n", $5 / 1048576}'
echo "image-check: ok"
