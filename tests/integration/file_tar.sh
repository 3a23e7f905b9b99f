#!/bin/sh
# file.tar: archive name and suffixes (never overwriting), entries (only
# regular files, names relative to dir, symlinks/FIFOs/the archive itself
# skipped), contents, mode and mtime, and errors.
. "$WH_TOP_SRCDIR/tests/lib.sh"
umask 022

cfg=$(wh_config </dev/null)
data=$T/data
: > "$T/items.jsonl"

mkdir -p "$data/t/sub/deeper" "$data/t/empty"
printf 'A' > "$data/t/a.txt"
chmod 640 "$data/t/a.txt"
touch -d @1000000000 "$data/t/a.txt"
printf 'B\n' > "$data/t/sub/b.txt"
# More than one read chunk, and not a multiple of the tar block size.
head -c 200001 /dev/urandom > "$data/t/sub/deeper/big.bin"
ln -s a.txt "$data/t/link"
ln -s /etc/passwd "$data/t/abs_link"
ln -s sub "$data/t/dirlink"
mkfifo "$data/t/fifo"
echo top > "$data/top.txt"

cat > "$T/tar.js" <<'EOF'
function attempt(f) {
  try { console.log(f()); } catch (e) { console.log(String(e)); }
}
console.log(file.tar("t"));
console.log(file.tar("./t/"));
console.log(file.tar(""));
attempt(function () { return file.tar("missing"); });
attempt(function () { return file.tar("top.txt"); });
attempt(function () { return file.tar(); });
EOF

start=$(date +%s)
wh replay "$T/items.jsonl" -c "$cfg" -s "$T/tar.js" >"$T/out" 2>"$T/stderr"
end=$(date +%s)
assert_eq "" "$(grep -v '^--[0-9]*-- ' "$T/stderr" || :)" "stderr"
assert_eq '[tar.js] wirehook_S.tar.gz
[tar.js] wirehook_S.tar.gz
[tar.js] wirehook_S.tar.gz
[tar.js] Error: file.tar: missing: No such file or directory
[tar.js] Error: file.tar: top.txt: Not a directory
[tar.js] TypeError: file.tar: dir is required' \
  "$(sed 's/wirehook_[0-9]*\(_[0-9]*\)\{0,1\}\.tar/wirehook_S.tar/' "$T/out")" \
  "console output"

# Names: wirehook_<seconds of the call>[_N].tar.gz, all different.
sed -n 's/^\[tar\.js\] \(wirehook_.*\)/\1/p' "$T/out" > "$T/names"
p=$(sed -n 1p "$T/names")
q=$(sed -n 2p "$T/names")
r=$(sed -n 3p "$T/names")
[ "$p" != "$q" ] && [ "$q" != "$r" ] && [ "$p" != "$r" ] || fail "archive names repeat: $p $q $r"
while read -r n; do
  s=$(echo "$n" | sed 's/^wirehook_\([0-9]*\).*/\1/')
  [ "$s" -ge "$start" ] && [ "$s" -le "$end" ] || fail "$n: not the time of the call ($start..$end)"
  gzip -t "$data/$n" || fail "$n is not gzip"
done < "$T/names"

# Entries: regular files only, relative to dir, no directories.
files='a.txt
sub/b.txt
sub/deeper/big.bin'
assert_eq "$files" "$(tar tzf "$data/$p" | LC_ALL=C sort)" "entries of tar(t)"
assert_eq "$files" "$(tar tzf "$data/$q" | LC_ALL=C sort)" "entries of tar(./t/)"
assert_eq "$(printf 't/a.txt\nt/sub/b.txt\nt/sub/deeper/big.bin\ntop.txt\n%s\n%s\n' "$p" "$q" | LC_ALL=C sort)" \
  "$(tar tzf "$data/$r" | LC_ALL=C sort)" "entries of tar(\"\"): not itself"
assert_eq "" "$(tar tvzf "$data/$p" | grep -v '^-' || :)" "only regular-file entries"

# Contents, mode and mtime come back out.
mkdir "$T/x"
tar xzf "$data/$p" -C "$T/x"
cmp "$data/t/a.txt" "$T/x/a.txt" || fail "a.txt differs"
cmp "$data/t/sub/b.txt" "$T/x/sub/b.txt" || fail "sub/b.txt differs"
cmp "$data/t/sub/deeper/big.bin" "$T/x/sub/deeper/big.bin" || fail "big.bin differs"
assert_eq "640 1000000000" "$(stat -c '%a %Y' "$T/x/a.txt")" "mode and mtime of a.txt"

# An existing archive name is never overwritten: with wirehook_<s>.tar.gz
# taken for every second the run can take, the archive gets _1.
rm -f "$data"/wirehook_*
now=$(date +%s)
s=$((now - 1))
while [ "$s" -le $((now + 120)) ]; do
  echo keep > "$data/wirehook_$s.tar.gz"
  s=$((s + 1))
done
printf 'console.log(file.tar("t"));\n' > "$T/again.js"
out=$(wh replay "$T/items.jsonl" -c "$cfg" -s "$T/again.js" 2>"$T/stderr")
assert_eq "" "$(grep -v '^--[0-9]*-- ' "$T/stderr" || :)" "stderr (again)"
n=${out#\[again.js\] }
case "$n" in
  wirehook_*_1.tar.gz) ;;
  *) fail "expected wirehook_<s>_1.tar.gz, got: $out" ;;
esac
assert_eq "keep" "$(cat "$data/${n%_1.tar.gz}.tar.gz")" "existing archive untouched"
assert_eq "$files" "$(tar tzf "$data/$n" | LC_ALL=C sort)" "entries of the _1 archive"
