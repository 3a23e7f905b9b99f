#!/bin/sh
# A packager's build without the cloud plugins: a fresh out-of-tree build
# of this source tree with --disable-cloud must not link libcurl anywhere
# (DESIGN, "configure").  Takes a couple of minutes (it builds duktape).
. "$WH_TOP_SRCDIR/tests/lib.sh"

src=$WH_TOP_SRCDIR
[ -x "$src/configure" ] ||
  fail "$src/configure is missing: the source tree is not bootstrapped; run 'autoreconf -fi' in $src first"
[ ! -f "$src/config.status" ] ||
  fail "$src is configured in place (it has config.status), so out-of-tree builds are refused; run 'make distclean' in $src"
command -v readelf >/dev/null 2>&1 || fail "readelf (binutils) is needed"
# A fresh build: nothing from an enclosing `make check` (variables given on
# its command line, jobserver) leaks into it.
unset MAKEFLAGS MFLAGS MAKELEVEL

mkdir "$T/b"
cd "$T/b"
"$src/configure" --disable-cloud --prefix=/usr > configure.log 2>&1 ||
  { tail -n 40 configure.log >&2; fail "configure --disable-cloud failed (log above)"; }

# The summary: every plugin configure.ac declares is reported, and none
# that is a cloud plugin or needs libcurl is built.
assert_contains "$(cat configure.log)" "Plugins (cloud: no)" "configure summary header"
summary=$(sed -n '/^  Plugins (cloud: no)/,/^$/p' configure.log | sed '1d;/^$/d')
[ -n "$summary" ] || fail "configure's summary lists no plugins"
decls=$(sed -n 's/^[[:space:]]*WH_PLUGIN(\[\([a-z0-9_]*\)\],[[:space:]]*\[\([^]]*\)\],[[:space:]]*\[\([a-z]*\)\]).*/\1|\2|\3/p' \
  "$src/configure.ac")
[ -n "$decls" ] || fail "no WH_PLUGIN([name], [deps], [kind]) declarations found in configure.ac"
printf '%s\n' "$decls" > "$T/decls"
curl_plugins=""
while IFS='|' read -r name deps kind; do
  status=$(printf '%s\n' "$summary" | awk -v n="$name" '$1 == n { $1 = ""; sub(/^ +/, ""); print }')
  [ -n "$status" ] || fail "configure's summary does not report plugin $name"
  case " $deps " in *" libcurl "*) needs_curl=1 ;; *) needs_curl="" ;; esac
  if [ "$kind" = cloud ] || [ -n "$needs_curl" ]; then
    curl_plugins="$curl_plugins $name"
    case "$status" in
    no*) ;;
    *) fail "plugin $name (kind $kind, deps: $deps) is built with --disable-cloud: $status" ;;
    esac
    [ "$kind" != cloud ] || assert_eq "no (--disable-cloud)" "$status" "summary of cloud plugin $name"
  fi
done < "$T/decls"

make -j2 > build.log 2>&1 || { tail -n 40 build.log >&2; fail "make failed (log above)"; }
make install DESTDIR="$T/inst" > install.log 2>&1 ||
  { tail -n 40 install.log >&2; fail "make install failed (log above)"; }

# Every ELF file installed, binaries and plugins alike.
find "$T/inst" -type f > "$T/files"
: > "$T/elves"
while IFS= read -r f; do
  [ "$(od -An -tx1 -N4 "$f" | tr -d ' \n')" = 7f454c46 ] || continue
  echo "$f" >> "$T/elves"
  readelf -d "$f" > "$T/dyn" 2>&1 || fail "readelf -d $f: $(cat "$T/dyn")"
  if grep 'NEEDED' "$T/dyn" | grep -i 'libcurl' > "$T/curl"; then
    fail "$f links libcurl in a --disable-cloud build: $(cat "$T/curl")"
  fi
done < "$T/files"
grep -qx "$T/inst/usr/bin/wirehook" "$T/elves" || fail "the wirehook binary was not checked: $(cat "$T/elves")"
plugindir=$T/inst/usr/lib/wirehook/plugins
grep -qx "$plugindir/file.so" "$T/elves" || fail "the file plugin was not checked: $(cat "$T/elves")"
for p in $curl_plugins; do
  [ ! -e "$plugindir/$p.so" ] || fail "cloud plugin $p is installed in a --disable-cloud build"
done

# The installed binary runs and loads the installed plugins.
saved=$WH_BIN
WH_BIN=$T/inst/usr/bin/wirehook
out=$(wh version) || fail "installed wirehook version failed"
expected=$("$saved" version)
assert_eq "$expected" "$out" "installed wirehook version"
case "$out" in "wirehook "[0-9]*) ;; *) fail "wirehook version printed: $out" ;; esac
mkdir -p "$T/data"
printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n' "$T/data" "$plugindir" > "$T/wirehook.ini"
rc=0
wh plugins -c "$T/wirehook.ini" > "$T/out" 2> "$T/err" || rc=$?
WH_BIN=$saved
assert_eq 0 "$rc" "installed wirehook plugins exit status ($(cat "$T/err"))"
assert_contains "$(cat "$T/out")" "$plugindir/file.so" "the installed binary loads the installed file plugin"
assert_eq "" "$(cat "$T/err")" "installed wirehook plugins: stderr"

# The vendor plugins are cloud plugins: none of them is built, and
# `wirehook plugins` does not list them; their helpers still exist in
# scripts and say why they fail; the rest works (file, kfl, an example).
for p in webhook slack influxdb elastic; do
  case " $curl_plugins " in
  *" $p "*) ;;
  *) fail "plugin $p is not declared as a cloud plugin (WH_PLUGIN([$p], [...libcurl...], [cloud]))" ;;
  esac
  [ ! -e "$plugindir/$p.so" ] || fail "plugin $p is installed in a --disable-cloud build"
  ! grep -q "^$p " "$T/out" || fail "wirehook plugins lists $p in a --disable-cloud build"
done
[ -z "$(find "$T/inst" -name 'libvendorhttp*')" ] || fail "the vendor HTTP layer is installed"
cat > "$T/vendor.js" <<'JS'
function t(name, f) {
  try { f(); console.log(name + ": returned"); } catch (e) { console.log(name + ": " + String(e)); }
}
t("webhook", function () { vendor.webhook("POST", "http://127.0.0.1:1/"); });
t("slack", function () { vendor.slack("http://127.0.0.1:1/", "p", "t", "#ff0000"); });
t("slackBot", function () { vendor.slackBot("xoxb-1", "C1", "p", "t", "#ff0000"); });
t("influxdb", function () { vendor.influxdb("http://127.0.0.1:1", "t", "o", "b", "m", { v: 1 }); });
t("elastic", function () { vendor.elastic("http://127.0.0.1:1", "i", { v: 1 }); });
t("file", function () { file.write("x.txt", "ok"); });
console.log("kfl: " + kfl.match("response.status == 500", { response: { status: 500 } }));
JS
WH_BIN=$T/inst/usr/bin/wirehook
rc=0
wh replay "$WH_TOP_SRCDIR/scripts/examples/items.jsonl" -c "$T/wirehook.ini" -s "$T/vendor.js" \
  -s "$WH_TOP_SRCDIR/scripts/examples/mark-500.js" > "$T/vendor.out" 2> "$T/vendor.err" || rc=$?
WH_BIN=$saved
assert_eq 0 "$rc" "a --disable-cloud build runs scripts ($(cat "$T/vendor.err"))"
assert_eq '[vendor.js] webhook: Error: vendor.webhook: plugin "webhook" is not available
[vendor.js] slack: Error: vendor.slack: plugin "slack" is not available
[vendor.js] slackBot: Error: vendor.slackBot: plugin "slack" is not available
[vendor.js] influxdb: Error: vendor.influxdb: plugin "influxdb" is not available
[vendor.js] elastic: Error: vendor.elastic: plugin "elastic" is not available
[vendor.js] file: returned
[vendor.js] kfl: true' "$(grep '^\[vendor.js\]' "$T/vendor.out")" "vendor helpers in a --disable-cloud build"
assert_contains "$(cat "$T/vendor.out")" "[mark-500.js] HTTP 500: " "an example script in a --disable-cloud build"
assert_eq "ok" "$(cat "$T/data/x.txt")" "file.write in a --disable-cloud build"
