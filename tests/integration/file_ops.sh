#!/bin/sh
# file.write/append/copy/move/delete/mkdir: every helper's round trip
# (what a script writes is what is on disk), binary content, the returned
# paths, and the operational errors of runtime spec §8.2.
. "$WH_TOP_SRCDIR/tests/lib.sh"
umask 022 # the modes checked below assume it

cfg=$(wh_config </dev/null)
data=$T/data
: > "$T/items.jsonl"

# A symlink that stays inside the data directory is followed.
mkdir -p "$data/real"
ln -s real "$data/inlink"
ln -s ../a.txt "$data/real/up_a"

cat > "$T/ops.js" <<'EOF'
function show(v) { console.log(v === undefined ? "undefined" : v); }
function attempt(f) {
  try { show(f()); } catch (e) { console.log(String(e)); }
}

// write / append
show(file.write("a.txt", "hello"));
show(file.append("a.txt", " world"));
file.append("new.txt", "first");
file.append("./new.txt", "+second");
file.write("utf8.txt", "h\u00e9llo \u2603");
file.write("bin.dat", new Uint8Array([0, 1, 2, 255, 254, 0, 128]));
file.write("abuf.dat", new Uint8Array([104, 105, 0, 33]).buffer);
file.write("num.txt", 42);
file.write("over.txt", "a long first content");
file.write("over.txt", "short");
file.write("inlink/through.txt", "via link");
file.write("empty.txt", "");

// mkdir
show(file.mkdir("d/e/f"));
file.mkdir("d/e/f");
file.mkdir("./x//y/");
file.mkdir("inlink/made");
file.mkdir("");

// copy: into a directory, a trailing '/', a file name, a replaced target
show(file.copy("a.txt", "d"));
show(file.copy("a.txt", "d/e/"));
show(file.copy("./a.txt", "d//copy.txt"));
file.write("d/replace.txt", "an older and longer content");
show(file.copy("a.txt", "d/replace.txt"));
show(file.copy("bin.dat", "inlink"));
show(file.copy("real/up_a", "via_up.txt"));

// move: files, into directories, over a file, a directory
show(file.move("new.txt", "d/e/f"));
show(file.move("d/copy.txt", "moved.txt"));
show(file.move("over.txt", "x/y/"));
file.write("replaced.txt", "old");
show(file.move("moved.txt", "replaced.txt"));
show(file.move("x", "d/x"));
show(file.move("d/x/y/over.txt", "d/x/y/over.txt"));

// delete: recursive, missing paths are fine
file.mkdir("gone/a/b");
file.write("gone/a/b/f.txt", "f");
file.write("gone/top.txt", "t");
show(file["delete"]("gone"));
show(file["delete"]("gone"));
show(file["delete"]("missing/deeper/x"));
show(file["delete"]("a.txt/below"));
file.write("single.txt", "s");
file["delete"]("./single.txt");

// operational errors
attempt(function () { return file.write("nodir/x.txt", "x"); });
attempt(function () { return file.write("", "x"); });
attempt(function () { return file.write("d", "x"); });
attempt(function () { return file.append("d/e", "x"); });
attempt(function () { return file.copy("missing.txt", "c.txt"); });
attempt(function () { return file.copy("d", "c.txt"); });
attempt(function () { return file.copy("a.txt", "a.txt"); });
attempt(function () { return file.copy("a.txt", "nodir/c.txt"); });
attempt(function () { return file.move("missing.txt", "m.txt"); });
attempt(function () { return file.move("", "m.txt"); });
attempt(function () { return file.mkdir("a.txt/sub"); });
attempt(function () { return file["delete"](""); });
attempt(function () { return file["delete"]("."); });
attempt(function () { return file["delete"]("d/.."); });

// required arguments
attempt(function () { return file.write(); });
attempt(function () { return file.write("a.txt"); });
attempt(function () { return file.append(null, "x"); });
attempt(function () { return file.copy("a.txt"); });
attempt(function () { return file.move(undefined, "x"); });
attempt(function () { return file["delete"](); });
attempt(function () { return file.mkdir(); });
EOF

out=$(wh replay "$T/items.jsonl" -c "$cfg" -s "$T/ops.js" 2>"$T/stderr")
expected='[ops.js] undefined
[ops.js] undefined
[ops.js] undefined
[ops.js] d/a.txt
[ops.js] d/e/a.txt
[ops.js] d/copy.txt
[ops.js] d/replace.txt
[ops.js] inlink/bin.dat
[ops.js] via_up.txt
[ops.js] d/e/f/new.txt
[ops.js] moved.txt
[ops.js] x/y/over.txt
[ops.js] replaced.txt
[ops.js] d/x
[ops.js] d/x/y/over.txt
[ops.js] undefined
[ops.js] undefined
[ops.js] undefined
[ops.js] undefined
[ops.js] Error: file.write: nodir/x.txt: No such file or directory
[ops.js] Error: file.write: : Is a directory
[ops.js] Error: file.write: d: Is a directory
[ops.js] Error: file.append: d/e: Is a directory
[ops.js] Error: file.copy: missing.txt: No such file or directory
[ops.js] Error: file.copy: d: Is a directory
[ops.js] Error: file.copy: a.txt: source and target are the same file
[ops.js] Error: file.copy: nodir/c.txt: No such file or directory
[ops.js] Error: file.move: missing.txt: No such file or directory
[ops.js] Error: file.move: : Is a directory
[ops.js] Error: file.mkdir: a.txt/sub: Not a directory
[ops.js] Error: file.delete: path "" is the data directory itself; refusing to delete it
[ops.js] Error: file.delete: path "." is the data directory itself; refusing to delete it
[ops.js] Error: file.delete: path "d/.." is the data directory itself; refusing to delete it
[ops.js] TypeError: file.write: path is required
[ops.js] TypeError: file.write: content is required
[ops.js] TypeError: file.append: path is required
[ops.js] TypeError: file.copy: dstPath is required
[ops.js] TypeError: file.move: oldPath is required
[ops.js] TypeError: file.delete: path is required
[ops.js] TypeError: file.mkdir: path is required'
assert_eq "$expected" "$out" "console output"
# (valgrind's own notes, "--PID-- ...", e.g. that it lacks openat2, aside)
assert_eq "" "$(grep -v '^--[0-9]*-- ' "$T/stderr" || :)" "stderr"

# What is on disk.
assert_eq "hello world" "$(cat "$data/a.txt")" "write + append"
assert_eq "h$(printf '\303\251')llo $(printf '\342\230\203')" "$(cat "$data/utf8.txt")" "UTF-8 text"
assert_eq " 00 01 02 ff fe 00 80" "$(od -An -tx1 "$data/bin.dat")" "Uint8Array bytes"
assert_eq " 68 69 00 21" "$(od -An -tx1 "$data/abuf.dat")" "ArrayBuffer bytes"
assert_eq "42" "$(cat "$data/num.txt")" "ToString of a number"
assert_eq "0" "$(stat -c %s "$data/empty.txt")" "empty content"
assert_eq "via link" "$(cat "$data/real/through.txt")" "write through an inside symlink"
assert_eq "hello world" "$(cat "$data/d/a.txt")" "copy into a directory"
assert_eq "hello world" "$(cat "$data/d/e/a.txt")" "copy into dir/"
assert_eq "hello world" "$(cat "$data/d/replace.txt")" "copy replaces and truncates"
assert_eq " 00 01 02 ff fe 00 80" "$(od -An -tx1 "$data/real/bin.dat")" "binary copy"
assert_eq "hello world" "$(cat "$data/via_up.txt")" "copy through an inside symlink"
assert_eq "first+second" "$(cat "$data/d/e/f/new.txt")" "append creates, then appends"
assert_eq "hello world" "$(cat "$data/replaced.txt")" "move replaces the target"
assert_eq "short" "$(cat "$data/d/x/y/over.txt")" "write truncates; moved with its directory"
assert_eq "644 644 644" "$(stat -c %a "$data/a.txt" "$data/d/a.txt" "$data/replaced.txt" | tr '\n' ' ' | sed 's/ $//')" "file modes"
assert_eq "755 755 755" "$(stat -c %a "$data/d" "$data/d/e" "$data/d/e/f" | tr '\n' ' ' | sed 's/ $//')" "mkdir modes"
[ -d "$data/real/made" ] || fail "mkdir through an inside symlink"
for gone in new.txt over.txt moved.txt d/copy.txt x gone single.txt; do
  [ ! -e "$data/$gone" ] || fail "$gone should not exist"
done
assert_eq "a.txt
abuf.dat
bin.dat
d
d/a.txt
d/e
d/e/a.txt
d/e/f
d/e/f/new.txt
d/replace.txt
d/x
d/x/y
d/x/y/over.txt
empty.txt
inlink
num.txt
real
real/bin.dat
real/made
real/through.txt
real/up_a
replaced.txt
utf8.txt
via_up.txt" "$(cd "$data" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)" "data directory tree"
