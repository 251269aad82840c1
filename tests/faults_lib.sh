# Shared by the fault and race tests (t_crash.sh, t_churn.sh, t_faults.sh,
# stress_bounds.sh): their setup and the helper that makes their kernel objects.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
FL=$TEST_TMP/faults_load
bs() { "$BPFSCOPE" --db "$DB" "$@"; }	# (each script sets DB)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# root, bpffs, the pin directory $PIN (removed when the script ends), the helper built
faults_setup() {
	need_root || exit 77
	ensure_bpffs
	mkdir -p "$PIN"
	cleanup_add "rm -rf '$PIN'"
	gcc -O2 -Wall -o "$FL" "$TOP/tests/helpers/faults_load.c" -lbpf || die "faults_load"
}
