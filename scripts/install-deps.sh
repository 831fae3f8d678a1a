#!/bin/sh
# Install what nsearch needs to build and test, from Debian's packages.
# Installs only what is missing; run as root (or with sudo available).
set -eu

# Build and run: Xapian (search backend, and its Snowball stemmers),
# utf8proc (Unicode), zstd (stored text), libarchive (compressed files and
# archives), ISA-L (libisal-dev: gzip, 2.5 times zlib's inflate speed),
# liblzma and libbz2 (gzip, xz and bzip2 files, and such members of
# archives, decoded to the last byte before a cut), zlib (the tests make
# and check gzip data with it), libbrotli-dev (WARC bodies in brotli),
# libxml2 (XML and HTML), json-c (JSON).  Run and test: xapian-tools
# (xapian-check; xapian-tcpsrv behind `nsearch serve` and the remote shard
# tests, xapian-replicate[-server] for replication).  Test: cmocka, python3
# (the CLI tests' JSON checks, python/), valgrind (scripts/valgrind.sh),
# sqlite3 (bench).  Static linking: liblz4-dev, libacl1-dev (libarchive's
# .pc names -llz4 -lacl among its Libs.private, which
# `pkg-config --static --libs nsearch` passes on; scripts/test-install.sh).
PKGS="build-essential cmake pkg-config libxapian-dev xapian-tools \
libutf8proc-dev libzstd-dev libarchive-dev libisal-dev zlib1g-dev \
liblzma-dev libbz2-dev libbrotli-dev libxml2-dev libjson-c-dev libcmocka-dev python3 zstd \
valgrind \
liblz4-dev libacl1-dev"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
