#!/usr/bin/env bash
# reuse_obj.sh: give a lab's C object the up-to-date object another lab compiled from the same source with the same flags (common/rules.mk), instead of compiling it again.
#
# Usage: tools/reuse_obj.sh OBJ STAMP DONOR...
#   OBJ    the object to make (build/labN/obj/FILE.c.o); its .d goes beside it
#   STAMP  OBJ's build directory's cflags stamp
#   DONOR  the same source's object in other build directories, nearest first
# Exit 0: OBJ and its .d were copied from a donor; 1: the caller must compile.
#
# Every lab compiles its files with the same flags except -DLAB_NAME and
# -DLAB_TITLE, so an object whose source and headers never
# name them is byte-identical in every lab. A donor is used only if
#  - its .o and .d are complete: the compile rule writes both under temporary
#    names and renames them, the .d first, so a .o not older than its .d is whole;
#  - its cflags stamp, without those two flags, equals STAMP's, and
#    is not newer than the donor (make would rebuild it for new flags);
#  - every file its .d names (the source and each header) exists and is not
#    newer than it: exactly make's own up-to-date test for the donor;
#  - none of those files contains LAB_NAME or LAB_TITLE.
# The copy gets a new mtime, so make sees OBJ as up to date and relinks.
set -u
obj=$1 stamp=$2
shift 2
[ -f "$stamp" ] || exit 1
# A stamp without its -DLAB_NAME='"labN"' and -DLAB_TITLE='"labN-topic"'.
flags() { sed -e "s/ -DLAB_NAME='\"[^\"]*\"'//; s/ -DLAB_TITLE='\"[^\"]*\"'//" "$1"; }
want=$(flags "$stamp")
for donor in "$@"; do
    dep=${donor%.o}.d
    dstamp=${donor%%/obj/*}/cflags
    [ -f "$donor" ] && [ -f "$dep" ] && [ -f "$dstamp" ] || continue
    [ "$dep" -nt "$donor" ] && continue
    [ "$dstamp" -nt "$donor" ] && continue
    [ "$(flags "$dstamp")" = "$want" ] || continue
    # The prerequisites: the first rule of the .d, continuation lines joined.
    deps=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$dep" | head -n 1 | cut -d: -f2-)
    [ -n "$deps" ] || continue
    ok=1
    for f in $deps; do
        if [ ! -f "$f" ] || [ "$f" -nt "$donor" ]; then
            ok=0
            break
        fi
    done
    [ $ok = 1 ] || continue
    # shellcheck disable=SC2086
    grep -qsE 'LAB_NAME|LAB_TITLE' $deps && exit 1
    mkdir -p "$(dirname "$obj")"
    sed -e "1s|^[^:]*:|$obj:|" "$dep" > "${obj%.o}.d.tmp" &&
        cp "$donor" "$obj.tmp" &&
        mv -f "${obj%.o}.d.tmp" "${obj%.o}.d" &&
        mv -f "$obj.tmp" "$obj" && exit 0
    rm -f "${obj%.o}.d.tmp" "$obj.tmp"
    exit 1
done
exit 1
