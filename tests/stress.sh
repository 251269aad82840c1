#!/usr/bin/env bash
# make stress: the fault and race tests at full size (t_crash: a 1,000,000-entry map and 100
# kills; t_churn: 50 snapshots of a 5,000-program system; t_faults: a 1,000,000-entry map,
# the report among the readers), then the resource bounds (a 10,000,000-entry hash map
# captured with maps-data; a 500,000-instruction program snapshotted, dumped, drawn and
# diffed), and the figures of all. STRESS_PARTS picks some: "crash churn faults bounds".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BPFSCOPE=$TOP/build/bpfscope
export FIGURES=$(mktemp /tmp/bpfscope-stress.XXXXXX)
export RESULTS=$(mktemp /tmp/bpfscope-stress-results.XXXXXX)
PARTS=${STRESS_PARTS:-crash churn faults bounds}
[ "$(id -u)" = 0 ] || { echo "stress: needs root"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
part() { [[ " $PARTS " == *" $1 "* ]]; }

part crash && CRASH_ENTRIES=${CRASH_ENTRIES:-1000000} CRASH_KILLS=${CRASH_KILLS:-100} CRASH_BUDGET=${CRASH_BUDGET:-36000} \
	CRASH_FULL_EVERY=${CRASH_FULL_EVERY:-10} bash "$TOP/tests/t_crash.sh"
part churn && CHURN_PROGS=${CHURN_PROGS:-5000} CHURN_SNAPS=${CHURN_SNAPS:-50} \
	bash "$TOP/tests/t_churn.sh"
part faults && FAULTS_ENTRIES=${FAULTS_ENTRIES:-1000000} FAULTS_REPORT=1 \
	FAULTS_WATCH_COUNT=${FAULTS_WATCH_COUNT:-10} bash "$TOP/tests/t_faults.sh"
part bounds && bash "$TOP/tests/stress_bounds.sh"

echo "== figures"
cat "$FIGURES"
p=$(grep -c '^PASS' "$RESULTS"); f=$(grep -c '^FAIL' "$RESULTS"); s=$(grep -c '^SKIP' "$RESULTS")
rm -f "$FIGURES" "$RESULTS"
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
