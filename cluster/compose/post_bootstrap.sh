#!/bin/sh
# Patroni's post_bootstrap on the first primary: the app's role (its password from the
# environment) and database. The statement and lock limits are the role's, since PgBouncer's
# transaction pooling drops a connection's startup options.
set -e
psql -v ON_ERROR_STOP=1 -v password="$TJ_APP_PASSWORD" -d postgres <<'SQL'
CREATE ROLE tradejournal LOGIN PASSWORD :'password';
ALTER ROLE tradejournal SET statement_timeout = 5000;
ALTER ROLE tradejournal SET lock_timeout = 3000;
CREATE DATABASE tradejournal OWNER tradejournal;
SQL
