#!/bin/sh
# Bootstraps and builds wirehook out of tree in build/ (kept between runs).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-werror ${WH_CONFIGURE_FLAGS:-} 2>&1 | grep -v "cannot remove 'core'" | sed -n '/configured$/,$p'
make -j"$(nproc)" >/dev/null
echo "wirehook: built $top/build/wirehook"
