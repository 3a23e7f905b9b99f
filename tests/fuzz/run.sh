#!/bin/sh
# Builds every libFuzzer target in tests/fuzz (clang, ASan + UBSan) and
# runs each for FUZZ_SECONDS (default 30), seeded by tests/tools/
# gen_fuzz_seeds_NAME.py when it exists.  A target file
# names what it needs in two comment lines:
#   // sources: daemon/capture/decode.c daemon/capture/addr.c
#   // libs: -ljansson
# Exit status 1 if any target finds a crash, a leak or undefined
# behaviour, or fails to build.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-30}
out=${FUZZ_OUT:-$(mktemp -d /tmp/wirehook-fuzz.XXXXXX)}
mkdir -p "$out"
cc=${FUZZ_CC:-clang}
failed=0
only=${1:-}
[ -f "$top/build/config.h" ] || { echo "fuzz: build first (tools/build.sh)"; exit 1; }
for target in "$top"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$target" .c)
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  srcs=$(sed -n 's|^// sources: *||p' "$target")
  libs=$(sed -n 's|^// libs: *||p' "$target")
  bin="$out/$name"
  # shellcheck disable=SC2086
  if ! (cd "$top" && $cc -g -O1 -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$top/build" -I"$top/daemon" \
        -I"$top/sdk" "$target" $srcs $libs -o "$bin") >"$out/$name.build" 2>&1; then
    echo "fuzz: $name: build failed"; cat "$out/$name.build"; failed=1; continue
  fi
  corpus="$out/$name.corpus"
  mkdir -p "$corpus"
  # Seeds are generated, never committed: tests/tools/gen_fuzz_seeds_X.py
  # writes them for fuzz_X.
  seeds="$out/$name.seeds"
  gen="$top/tests/tools/gen_fuzz_seeds_${name#fuzz_}.py"
  mkdir -p "$seeds"
  if [ -f "$gen" ] && ! /usr/bin/python3 "$gen" "$seeds" >"$out/$name.seeds.log" 2>&1; then
    echo "fuzz: $name: seed generator failed"; cat "$out/$name.seeds.log"; failed=1; continue
  fi
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/$name-" \
       -print_final_stats=1 "$corpus" $seeds >"$out/$name.log" 2>&1; then
    echo "fuzz: $name: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$' || echo '?') runs in ${seconds}s, no finding"
    grep -E '^#[0-9]+.*DONE' "$out/$name.log" | tail -1
  else
    echo "fuzz: $name: FINDING (log: $out/$name.log)"; tail -40 "$out/$name.log"; failed=1
  fi
done
exit $failed
