# pgbouncer in front of a PostgreSQL server of a test's or bench's own (sourced by
# tests/t_fleet.sh and bench/fleet.sh): session pooling, its defaults otherwise (so it
# refuses libpq startup options), on a unix socket in the server's directory only.
#   pgbouncer_start DIR PORT   the server's socket directory DIR; sets PGB_PID (a job of the
#                              caller's shell, ended by timeout at the latest) and PGB_CONN
PGBOUNCER=/usr/sbin/pgbouncer
pgbouncer_start() {
	local dir=$1 port=$2 i
	[ -x "$PGBOUNCER" ] || { echo "no $PGBOUNCER (make deps)" >&2; return 1; }
	printf '"postgres" ""\n' > "$dir/pgb.users"
	cat > "$dir/pgb.ini" <<EOF_INI
[databases]
postgres = host=$dir dbname=postgres user=postgres
[pgbouncer]
listen_addr =
listen_port = $port
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/pgb.users
pool_mode = session
logfile = $dir/pgb.log
EOF_INI
	chown postgres "$dir/pgb.ini" "$dir/pgb.users" || return 1
	timeout 3600 setpriv --reuid=postgres --regid=postgres --init-groups "$PGBOUNCER" -q \
		"$dir/pgb.ini" &
	PGB_PID=$!
	for ((i = 0; i < 50; i++)); do [ -S "$dir/.s.PGSQL.$port" ] && break; sleep 0.1; done
	PGB_CONN="host=$dir port=$port dbname=postgres user=postgres"
	[ -S "$dir/.s.PGSQL.$port" ] || { echo "pgbouncer did not start: $(tail -n 1 "$dir/pgb.log")" >&2; return 1; }
}
