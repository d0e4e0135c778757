#!/bin/sh
# Restore a backup of deploy/backup.sh into a FRESH database: deploy/restore.sh BACKUP_DIR
#   DATABASE_URL  the new, empty database (create it first: createdb, or CREATE DATABASE)
#   MEDIA_DIR     where the photos go (the new app's MEDIA_DIR)
# Refuses a database that already has tables, so a restore never mixes with live data.
set -eu
fail() { echo "restore: $*" >&2; exit 1; }
[ $# -eq 1 ] || fail "usage: deploy/restore.sh BACKUP_DIR"
src=$1
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set"
[ -n "${MEDIA_DIR:-}" ] || fail "MEDIA_DIR is not set"
[ -f "$src/database.dump" ] && [ -f "$src/media.tar" ] \
  || fail "$src does not hold database.dump and media.tar"
url=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')
tables=$(psql --no-psqlrc -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" "$url") \
  || fail "cannot connect to the database"
[ "$tables" = 0 ] || fail "the database already has $tables table(s); restore into a fresh one"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" \
  "$src/database.dump" || fail "pg_restore failed; the database was left empty"
mkdir -p "$MEDIA_DIR"
tar -C "$MEDIA_DIR" -xf "$src/media.tar" || fail "restoring the media failed"
registrations=$(psql --no-psqlrc -At -c "SELECT count(*) FROM registrations" "$url")
echo "restore: $registrations registration(s) and their photos restored into $MEDIA_DIR"
