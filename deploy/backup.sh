#!/bin/sh
# Back up the database and the photos together: deploy/backup.sh DEST_DIR
#   DATABASE_URL  the app's URL (postgresql+asyncpg://user:password@host:port/db)
#   MEDIA_DIR     the app's photo directory
# Writes DEST_DIR/database.dump (pg_dump custom format) and DEST_DIR/media.tar.
# The database is dumped first: a photo's file is written before its row commits and files
# never change, so the media copied afterwards holds every file the dump names.
set -eu
fail() { echo "backup: $*" >&2; exit 1; }
[ $# -eq 1 ] || fail "usage: deploy/backup.sh DEST_DIR"
dest=$1
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set"
[ -n "${MEDIA_DIR:-}" ] || fail "MEDIA_DIR is not set"
case $DATABASE_URL in postgresql*) ;; *) fail "DATABASE_URL is not PostgreSQL (SQLite: copy the .db file and MEDIA_DIR with the app stopped)" ;; esac
[ -d "$MEDIA_DIR" ] || fail "MEDIA_DIR $MEDIA_DIR is not a directory"
[ ! -e "$dest/database.dump" ] || fail "$dest already holds a backup"
# libpq does not know SQLAlchemy's driver suffix (postgresql+asyncpg://).
url=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-privileges --file="$dest/database.dump" "$url" \
  || fail "pg_dump failed"
tar -C "$MEDIA_DIR" -cf "$dest/media.tar" . || fail "copying the media failed"
files=$(tar -tf "$dest/media.tar" | grep -c '/[0-9a-f]\{64\}$' || true)
echo "backup: $dest/database.dump and $dest/media.tar ($files photo files)"
