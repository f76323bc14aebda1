#!/bin/sh
# Patroni's callback (action, role, scope): when a node starts or changes role, every PgBouncer
# ($TJ_PGBOUNCERS, host:port ...) drops its server connections as their transactions end, so
# none made before the change serves another (the database router has already cut the ones to
# a node that stopped being the primary; this also covers a promotion seen first here).
case "$1" in
on_role_change | on_start)
    for pgbouncer in $TJ_PGBOUNCERS; do
        psql -X -q -h "${pgbouncer%:*}" -p "${pgbouncer#*:}" -U postgres -d pgbouncer -c RECONNECT >/dev/null 2>&1 || true
    done
    ;;
esac
