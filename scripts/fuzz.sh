#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/) with clang in build-fuzz/, then for
# each target replay its committed corpus and fuzz it for N seconds into a
# temporary copy of that corpus (the repository's corpus is never written).
#
#   scripts/fuzz.sh [--seconds N] [--replay-only] [--target NAME]... [--keep]
#   scripts/fuzz.sh --campaign N [--target NAME]...
#
#   --seconds N     fuzz each target N seconds (default 20; 9 targets ~3 min)
#   --replay-only   only replay the corpora (what CI's fuzz-replay suite does)
#   --target NAME   only this target (repeatable); default: all of them
#   --keep          keep the temporary corpora (new inputs) and print where
#   --campaign N    fuzz each target N seconds into a corpus kept from one
#                   campaign to the next, build-fuzz/campaign/<target>/
#                   (seeded from the repository's), e.g. --campaign 1800
#
# Prints per target: corpus files replayed, execs, seconds, execs/s, new
# coverage-increasing inputs, coverage (libFuzzer's cov: edges, ft:
# features) and crashes; for the stateful target `server`, also which of the
# 19 SMB2 command handlers its corpus reaches. A crash (or a failing replay) makes the
# script exit non-zero and prints the reproducer path, kept under
# build-fuzz/artifacts/<target>/.  Reproduce with:
#   build-fuzz/tests/fuzz/fuzz_<target> <reproducer>
set -euo pipefail

seconds=20
replay_only=0
keep=0
campaign=0
only=()
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds)
        seconds="${2:?--seconds needs a number}"
        shift 2
        ;;
    --seconds=*)
        seconds="${1#*=}"
        shift
        ;;
    --replay-only)
        replay_only=1
        shift
        ;;
    --target)
        only+=("${2:?--target needs a name}")
        shift 2
        ;;
    --keep)
        keep=1
        shift
        ;;
    --campaign)
        seconds="${2:?--campaign needs a number of seconds}"
        campaign=1
        shift 2
        ;;
    -h | --help)
        sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "fuzz.sh: unknown argument: $1" >&2
        exit 2
        ;;
    esac
done
case "$seconds" in
'' | *[!0-9]* | 0)
    echo "fuzz.sh: --seconds wants a positive integer" >&2
    exit 2
    ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build=build-fuzz
targets=(frame negotiate session_setup ntlmssp spnego create transform io server)
if [ ${#only[@]} -gt 0 ]; then
    targets=("${only[@]}")
fi

command -v clang >/dev/null || {
    echo "fuzz.sh: clang not found (apt-get install -y clang)" >&2
    exit 2
}
if [ ! -f "$build/build.ninja" ]; then
    # -Dfuzz=true instruments the libraries for coverage too (meson.build),
    # so libFuzzer sees inside the decoders; the targets link -fsanitize=fuzzer.
    CC=clang meson setup "$build" -Dfuzz=true -Dtests=false -Dbench=false \
        -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer' \
        >"$build.setup.log" 2>&1 || {
        cat "$build.setup.log" >&2
        exit 1
    }
    rm -f "$build.setup.log"
fi
exes=()
for t in "${targets[@]}"; do
    exes+=("tests/fuzz/fuzz_$t")
done
ninja -C "$build" "${exes[@]}" >/dev/null || {
    ninja -C "$build" "${exes[@]}" >&2 || true
    echo "fuzz.sh: build failed" >&2
    exit 1
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

work="$(mktemp -d /tmp/signet-fuzz.XXXXXX)"
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "temporary corpora kept in $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# stat lines of libFuzzer's -print_final_stats=1
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

# The server target's corpus replayed with -print_coverage=1: which command
# handlers (lib/server/srv_dispatch.c's table) it reaches.
handlers_reached() { # exe corpus
    local h reached=0 missing=""
    "$1" -runs=0 -print_coverage=1 "$2" >"$work/server.cov" 2>&1 || true
    for h in srv_negotiate srv_session_setup srv_logoff srv_tree_connect srv_tree_disconnect \
        srv_create srv_close srv_flush srv_read srv_write srv_lock srv_ioctl srv_cancel srv_echo \
        srv_query_directory srv_change_notify srv_query_info srv_set_info srv_oplock_break; do
        if grep -qE "^COVERED_FUNC: .* $h /" "$work/server.cov"; then
            reached=$((reached + 1))
        else
            missing+=" $h"
        fi
    done
    echo "  server: its corpus reaches $reached of 19 command handlers${missing:+; not:$missing}"
}

failed=0
total_replayed=0
total_crashes=0
printf '%-14s %7s %10s %7s %9s %5s %11s %7s\n' target replayed execs seconds execs/s new cov/ft crashes
for t in "${targets[@]}"; do
    exe="$build/tests/fuzz/fuzz_$t"
    corpus="tests/fuzz/corpus/$t"
    arts="$build/artifacts/$t"
    mkdir -p "$arts" "$work/$t/corpus" "$work/$t/art"
    nfiles=$(find "$corpus" -maxdepth 1 -type f | wc -l)
    total_replayed=$((total_replayed + nfiles))

    # 1. replay (reads the repository corpus, writes nothing)
    if ! "$exe" -runs=0 -timeout=25 -artifact_prefix="$work/$t/art/" "$corpus" \
        >"$work/$t/replay.log" 2>&1; then
        echo "$t: REPLAY FAILED; log: $arts/replay.log" >&2
        cp "$work/$t/replay.log" "$arts/replay.log"
        for a in "$work/$t/art/"*; do
            [ -e "$a" ] || continue
            cp "$a" "$arts/"
            echo "$t: reproducer: $arts/$(basename "$a")" >&2
        done
        grep -E 'SUMMARY|ERROR|Test unit written|runtime error' "$work/$t/replay.log" >&2 || true
        failed=1
        total_crashes=$((total_crashes + 1))
        continue
    fi
    if [ "$replay_only" = 1 ]; then
        printf '%-14s %7s %10s %7s %9s %5s %11s %7s\n' "$t" "$nfiles" - - - - - 0
        continue
    fi

    # 2. fuzz into a temporary copy of the corpus, or the campaign's own
    into="$work/$t/corpus"
    if [ "$campaign" = 1 ]; then
        into="$build/campaign/$t"
        mkdir -p "$into"
    fi
    cp "$corpus"/* "$into/" 2>/dev/null || true
    start=$(date +%s.%N)
    rc=0
    "$exe" -max_total_time="$seconds" -max_len=65536 -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$t/art/" "$into" \
        >"$work/$t/fuzz.log" 2>&1 || rc=$?
    end=$(date +%s.%N)
    execs=$(final_stat number_of_executed_units "$work/$t/fuzz.log")
    new=$(final_stat new_units_added "$work/$t/fuzz.log")
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    crashes=0
    for a in "$work/$t/art/"*; do
        [ -e "$a" ] || continue
        crashes=$((crashes + 1))
    done
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1 # died without an artifact (e.g. a sanitizer abort in init)
    fi
    rate=$(awk -v e="${execs:-0}" -v s="$secs" 'BEGIN { printf "%d", (s > 0) ? e / s : 0 }')
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/$t/fuzz.log" | tail -1 | awk '{print $2 "/" $4}')
    printf '%-14s %7s %10s %7s %9s %5s %11s %7s\n' "$t" "$nfiles" "${execs:-?}" "$secs" "$rate" \
        "${new:-?}" "${cov:-?}" "$crashes"
    [ "$t" = server ] && [ "$crashes" -eq 0 ] && handlers_reached "$exe" "$into"
    total_crashes=$((total_crashes + crashes))
    if [ "$crashes" -ne 0 ]; then
        failed=1
        cp "$work/$t/fuzz.log" "$arts/fuzz.log"
        echo "$t: CRASH (libFuzzer exit $rc); log: $arts/fuzz.log" >&2
        for a in "$work/$t/art/"*; do
            [ -e "$a" ] || continue
            cp "$a" "$arts/"
            echo "$t: reproducer: $arts/$(basename "$a")" >&2
        done
        grep -E 'SUMMARY|ERROR: |runtime error' "$work/$t/fuzz.log" | head -5 >&2 || true
    fi
done
# Read by scripts/test_summary.py: keep the wording.
echo "fuzz-total: ${#targets[@]} targets, $total_replayed corpus files replayed, $total_crashes crashes"
exit "$failed"
