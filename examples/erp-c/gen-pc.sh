#!/usr/bin/env sh
# Writes patron.pc, the pkg-config file for linking C and C++ programs against patron.
#
# Usage: examples/erp-c/gen-pc.sh [PREFIX]
#
#   without PREFIX: for using patron straight from this repository — libdir is the repo's
#       target/release (build it first: `cargo build --release --lib --features ffi`), includedir the repo's
#       include/ (patron.h) plus bindings/cpp/ (patron.hpp); the file goes to
#       target/pkgconfig/patron.pc.
#   with PREFIX: for an installation under PREFIX — libdir PREFIX/lib, includedir
#       PREFIX/include; the file goes to PREFIX/lib/pkgconfig/patron.pc. (Copy
#       target/release/libpatron.{a,so}, include/patron.h and bindings/cpp/patron.hpp there.)
#
# Then: PKG_CONFIG_PATH=<dir of patron.pc> pkg-config --cflags --libs patron
# Static linking: link libdir/libpatron.a and `pkg-config --static --libs patron` minus
# -lpatron (the Makefile beside this script shows how).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)
if [ $# -ge 1 ]; then
    prefix=$1
    libdir='${prefix}/lib'
    includedir='${prefix}/include'
    cflags='-I${includedir}'
    out="$prefix/lib/pkgconfig/patron.pc"
else
    prefix=$repo
    libdir='${prefix}/target/release'
    includedir='${prefix}/include'
    cflags='-I${includedir} -I${prefix}/bindings/cpp'
    out="$repo/target/pkgconfig/patron.pc"
fi
mkdir -p "$(dirname "$out")"
cat > "$out" <<PC
prefix=$prefix
libdir=$libdir
includedir=$includedir

Name: patron
Description: Embeddable rules engine for customer grading, development stages and visit cadence (C ABI)
Version: $version
Cflags: $cflags
Libs: -L\${libdir} -lpatron
Libs.private: -lpthread -ldl -lm
PC
echo "wrote $out"
