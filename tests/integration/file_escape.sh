#!/bin/sh
# Confinement (runtime spec §8.2): every path argument of every file.*
# helper that leaves the data directory, lexically or through a symlink
# (to /, to ../outside, absolute, a symlinked parent), throws
#   Error: file.<op>: path "<p>" escapes the data directory
# and nothing outside is touched.  Symlinks themselves can still be
# deleted and moved, since those do not follow them.
. "$WH_TOP_SRCDIR/tests/lib.sh"

cfg=$(wh_config </dev/null)
data=$T/data
out=$T/outside
: > "$T/items.jsonl"

mkdir -p "$out/dir" "$data/real"
echo secret > "$out/secret.txt"
echo A > "$data/a.txt"
ln -s / "$data/lroot"
ln -s ../outside "$data/lout"
ln -s ../outside/secret.txt "$data/lfile"
ln -s "$out" "$data/labs"
ln -s ../.. "$data/real/lup"
before=$(cd "$T" && ls -lR --time-style=+%s outside)

# Paths that leave lexically or through a symlink on the way.
paths="$out/secret.txt
/
..
../x
./../x
a/../../x
real/../../x
real//..//../outside/secret.txt
lroot$out/secret.txt
lroot$out/new
lout/secret.txt
lout/new
lout/dir/new
labs/secret.txt
labs/new
lfile/x
real/lup/outside/secret.txt
real/lup/outside/new"
# The symlinks themselves: followed by every helper except delete and
# move's source, which act on the link.
links="lroot
lout
lfile
labs
real/lup"

# op, whether it follows a symlink named by the path, and the call.
ops='write 1 file.write(p, "x")
append 1 file.append(p, "x")
delete 0 file["delete"](p)
mkdir 1 file.mkdir(p)
tar 1 file.tar(p)
mkdirTemp 1 file.mkdirTemp("n", p)
temp 1 file.temp("n", p, "txt")
copy 1 file.copy(p, "dst.txt")
copy 1 file.copy("a.txt", p)
move 0 file.move(p, "dst.txt")
move 1 file.move("a.txt", p)'

js_list() { # lines on stdin -> a JS array of strings
  printf '['
  sed 's/.*/"&",/' | tr -d '\n' | sed 's/,$//'
  printf ']'
}

{
  printf 'var paths = %s;\n' "$(printf '%s\n' "$paths" | js_list)"
  printf 'var links = %s;\n' "$(printf '%s\n' "$links" | js_list)"
  echo 'function run(op, follows, f) {'
  echo '  var all = follows ? paths.concat(links) : paths;'
  echo '  for (var i = 0; i < all.length; i++) {'
  echo '    try { f(all[i]); console.log(op + " " + all[i] + ": no error"); }'
  echo '    catch (e) { console.log(String(e)); }'
  echo '  }'
  echo '}'
  printf '%s\n' "$ops" | while read -r op follows call; do
    printf 'run("%s", %s, function (p) { return %s; });\n' "$op" "$follows" "$call"
  done
  # Links themselves: removed or moved, never followed.
  echo 'console.log(file["delete"]("lout"));'
  echo 'console.log(file.move("labs", "moved_link"));'
  echo 'console.log(file.move("real/lup", "real/lup2"));'
} > "$T/escape.js"

expected=$(
  printf '%s\n' "$ops" | while read -r op follows call; do
    {
      printf '%s\n' "$paths"
      [ "$follows" = 0 ] || printf '%s\n' "$links"
    } | while read -r p; do
      printf '[escape.js] Error: file.%s: path "%s" escapes the data directory\n' "$op" "$p"
    done
  done
  echo '[escape.js] undefined'
  echo '[escape.js] moved_link'
  echo '[escape.js] real/lup2'
)

actual=$(wh replay "$T/items.jsonl" -c "$cfg" -s "$T/escape.js" 2>"$T/stderr")
assert_eq "" "$(grep -v '^--[0-9]*-- ' "$T/stderr" || :)" "stderr"
assert_eq "$expected" "$actual" "console output"

# Nothing outside changed; inside, only the moved and deleted links.
assert_eq "$before" "$(cd "$T" && ls -lR --time-style=+%s outside)" "outside untouched"
assert_eq "secret" "$(cat "$out/secret.txt")" "secret.txt untouched"
assert_eq "A" "$(cat "$data/a.txt")" "a.txt untouched"
assert_eq "$out" "$(readlink "$data/moved_link")" "moved symlink"
assert_eq "../.." "$(readlink "$data/real/lup2")" "moved relative symlink"
assert_eq "a.txt
lfile
lroot
moved_link
real
real/lup2" "$(cd "$data" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)" "data directory"
