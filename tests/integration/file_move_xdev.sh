#!/bin/sh
# file.move across file systems: a file is copied (replacing an existing
# target, keeping its mode), then the source is deleted; a directory is
# refused with EXDEV.  Needs a tmpfs mounted inside the data directory, so
# it runs in a private mount namespace and is skipped (77) where that is
# not allowed.
. "$WH_TOP_SRCDIR/tests/lib.sh"

cfg=$(wh_config </dev/null)
data=$T/data
: > "$T/items.jsonl"
mkdir -p "$data/mnt" "$data/dir"
unshare -m sh -c 'mount -t tmpfs tmpfs "$1"' sh "$data/mnt" 2>/dev/null || exit 77

printf 'content\n' > "$data/src.txt"
chmod 640 "$data/src.txt"
printf 'second\n' > "$data/two.txt"

cat > "$T/xdev.js" <<'EOF'
function attempt(f) {
  try { console.log(f()); } catch (e) { console.log(String(e)); }
}
attempt(function () { return file.move("src.txt", "mnt/"); });
attempt(function () { return file.move("two.txt", "mnt/old.txt"); });
attempt(function () { return file.move("dir", "mnt"); });
EOF

if [ "${WH_VALGRIND:-}" = 1 ]; then
  # shellcheck disable=SC2086
  set -- $WH_VALGRIND_CMD "$WH_BIN"
else
  set -- "$WH_BIN"
fi
# The checks of the tmpfs side run inside the namespace, which is gone
# afterwards.
actual=$(unshare -m sh -c '
  mnt=$1; shift
  mount -t tmpfs tmpfs "$mnt" || exit 77
  printf "old\n" > "$mnt/old.txt"
  "$@" || exit $?
  echo "--- mnt"
  ls -A "$mnt"
  cat "$mnt/src.txt" "$mnt/old.txt"
  stat -c %a "$mnt/src.txt"
' sh "$data/mnt" "$@" replay "$T/items.jsonl" -c "$cfg" -s "$T/xdev.js" 2>"$T/stderr")
assert_eq "" "$(grep -v '^--[0-9]*-- ' "$T/stderr" || :)" "stderr"
assert_eq '[xdev.js] mnt/src.txt
[xdev.js] mnt/old.txt
[xdev.js] Error: file.move: mnt/dir: Invalid cross-device link
--- mnt
old.txt
src.txt
content
second
640' "$actual" "moves onto the tmpfs"
[ ! -e "$data/src.txt" ] && [ ! -e "$data/two.txt" ] || fail "sources not removed"
[ -d "$data/dir" ] || fail "the directory was removed"
