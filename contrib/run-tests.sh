#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the whole lxc-dbus test suite as root on Debian 12: builds the
# project twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer),
# runs every test against both builds, fails on any sanitizer report, and
# ends with one line "N passed, N failed, N skipped".
#
# Needs the packages of contrib/install-deps.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "$(id -u)" != 0 ]; then
    echo "run-tests.sh: the suite drives real containers, polkitd and a system bus: run it as root" >&2
    exit 2
fi

builds=()
status=0

setup() {
    local dir=$1; shift
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
    else
        meson setup "$dir" "$@" >/dev/null || return 1
    fi
    ninja -C "$dir" || return 1
}

run_suite() {
    local dir=$1; shift
    builds+=("$dir")
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || status=1
}

# 1. The plain build, as shipped.
if setup _build/test -Ddocs=true; then
    run_suite _build/test
else
    echo "run-tests.sh: build failed" >&2
    exit 1
fi

# 2. ASan + UBSan. Reports go to files; any file is a failure.
san_logs="$top/_build/sanitizer-logs"
rm -rf "$san_logs"; mkdir -p "$san_logs"
export ASAN_OPTIONS="log_path=$san_logs/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$san_logs/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
# GLib's slice allocator would keep leaked blocks reachable: plain malloc.
export G_SLICE=always-malloc
# Latency bounds of the tests scale with the sanitizers' slowdown.
export LXCD_TEST_SLOWDOWN=3
# Built with clang (the plain build uses gcc), so both compilers check the code.
if CC=clang setup _build/asan -Db_sanitize=address,undefined -Db_lundef=false -Ddocs=false; then
    run_suite _build/asan
else
    echo "run-tests.sh: sanitizer build failed" >&2
    status=1
fi
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS LXCD_TEST_SLOWDOWN G_SLICE

# 3. Static analysis: gcc's -fanalyzer over every C file of the project
# (daemon, helper, lxcctl, tests); with -Werror any report fails the build.
analyzer_status=0
if ! setup _build/analyzer -Dc_args=-fanalyzer -Ddocs=false >"$top/_build/analyzer.log" 2>&1; then
    grep -A12 'warning:' "$top/_build/analyzer.log" >&2 || tail -30 "$top/_build/analyzer.log" >&2
    echo "run-tests.sh: gcc -fanalyzer reported problems" >&2
    analyzer_status=1
    status=1
fi

sanitizer_failures=0
for report in "$san_logs"/*; do
    [ -e "$report" ] || continue
    # A log file the runtime created but never wrote to (its process ended
    # first; the fault tests SIGKILL the service) holds no report.
    if [ ! -s "$report" ]; then
        echo "run-tests.sh: empty sanitizer log $report (no report in it)" >&2
        continue
    fi
    echo "=== sanitizer report: $report" >&2
    cat "$report" >&2
    sanitizer_failures=$((sanitizer_failures + 1))
done

summary=$(/usr/bin/python3 tests/tap-summary.py "${builds[@]}") || status=1
if [ "$sanitizer_failures" -gt 0 ]; then
    echo "run-tests.sh: $sanitizer_failures sanitizer report(s)" >&2
    status=1
    # Count each report as a failed check.
    summary=$(echo "$summary" | awk -v n="$sanitizer_failures" '{ $3 = $3 + n; print }')
fi
# The analyzer run counts as one check.
if [ "$analyzer_status" -eq 0 ]; then
    summary=$(echo "$summary" | awk '{ $1 = $1 + 1; print }')
else
    summary=$(echo "$summary" | awk '{ $3 = $3 + 1; print }')
fi
echo "$summary"
exit $status
