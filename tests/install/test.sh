#!/usr/bin/env bash
# test.sh BUILD_DIR SOURCE_DIR WORK — installs the build into a prefix under
# WORK, moves that tree elsewhere (an install must not depend on where it was
# configured), and builds and runs the README's example against it: with
# pkg-config, static and shared, and with CMake's find_package.
set -u
BUILD=$1 SRC=$2 WORK=$3
rm -rf "$WORK"; mkdir -p "$WORK"
fail=0
check() { local what=$1; shift; if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; fail=1; fi; }
cmake --install "$BUILD" --prefix "$WORK/first" > /dev/null || { echo "FAIL - install"; exit 1; }
mv "$WORK/first" "$WORK/moved"
P=$WORK/moved
PCDIR=$(dirname "$(find "$P" -name reprint.pc | head -1)")
export PKG_CONFIG_PATH=$PCDIR
EX=$SRC/examples/news.jsonl
check "pkg-config points into the moved tree" bash -c "pkg-config --cflags reprint | grep -q -- '-I$P/'"
check "Libs.private names WordNet and Snowball" bash -c "pkg-config --libs --static reprint | grep -q -- '-lwordnet' && pkg-config --libs --static reprint | grep -q -- '-lstemmer'"
cc -o "$WORK/ex_static" "$SRC/tests/install/example.c" $(pkg-config --cflags reprint) \
   -Wl,-Bstatic $(pkg-config --libs-only-L reprint) -lreprint -Wl,-Bdynamic \
   $(pkg-config --static --libs-only-l reprint | sed 's/-lreprint//') 2> "$WORK/cc1.txt"
check "a program links the static library by pkg-config" test -x "$WORK/ex_static"
check "and runs" bash -c "'$WORK/ex_static' '$EX' | grep -q 'read 13 kept'"
cc -o "$WORK/ex_shared" "$SRC/tests/install/example.c" $(pkg-config --cflags --libs reprint) 2> "$WORK/cc2.txt"
check "a program links the shared library by pkg-config" test -x "$WORK/ex_shared"
LIBDIR=$(pkg-config --variable=libdir reprint)
check "and runs" bash -c "LD_LIBRARY_PATH='$LIBDIR' '$WORK/ex_shared' '$EX' | grep -q 'read 13 kept'"
SO=$(find "$P" -name 'libreprint.so.*' -type f | head -1)
check "the shared library exports rp_ functions and nothing else" bash -c \
    "nm -D --defined-only '$SO' | awk '{print \$3}' | grep -q '^rp_engine_run\$' &&
     ! nm -D --defined-only '$SO' | awk '{print \$3}' | grep -v '^rp_[a-z]' | grep -q ."
cmake -S "$SRC/tests/install" -B "$WORK/cmake" -DCMAKE_PREFIX_PATH="$P" > "$WORK/cmake.txt" 2>&1 &&
    cmake --build "$WORK/cmake" > "$WORK/cmake-build.txt" 2>&1
check "find_package(reprint) builds a program, static and shared" bash -c "test -x '$WORK/cmake/example_static' && test -x '$WORK/cmake/example_shared'"
check "and they run" bash -c "'$WORK/cmake/example_static' '$EX' | grep -q 'read 13 kept' && LD_LIBRARY_PATH='$LIBDIR' '$WORK/cmake/example_shared' '$EX' | grep -q 'read 13 kept'"
exit $fail
