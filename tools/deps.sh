#!/bin/sh
# Installs the Debian 12 packages wirehook needs to build and test, only
# those that are missing.  Run as root.
set -eu
BUILD="autoconf automake libtool pkg-config make gcc duktape-dev libltdl-dev \
libinih-dev libjansson-dev libpcap-dev libarchive-dev libcurl4-openssl-dev \
libssl-dev zlib1g-dev libpcre2-dev"
TEST="valgrind python3 binutils file tar gzip tshark tcpdump dnsmasq-base \
nginx-light curl dnsutils python3-scapy python3-dnspython clang \
libclang-rt-14-dev iproute2 procps python3-croniter influxdb openssl"
missing=""
for p in $BUILD ${WH_DEPS_TEST:+$TEST}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "wirehook: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; they may not.
  echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
