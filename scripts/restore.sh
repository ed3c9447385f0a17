#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW, empty database and empty files
# directories (never over a live site: restore beside it, check, then switch over).
#
#   DATABASE_URL=postgres://.../push_restored MEDIA_ROOT=... PRIVATE_MEDIA_ROOT=... \
#     scripts/restore.sh /backups/push-20261127T050000Z
#
# Checks the checksums first; refuses a database that already has tables, or files directories
# that are not empty. Then: pg_restore (stopping at the first error), the files, and
# `manage.py migrate` (a no-op on a backup of the same version; applies what a newer code
# release adds). The Django secrets (SECRET_KEY, PUSH_PSEUDONYM_KEY, PUSH_FILE_KEY) must be the
# ones of the site that was backed up.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

prefix=${1:?"usage: scripts/restore.sh BACKUP_PREFIX (the path scripts/backup.sh printed)"}
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) ;;
  *) echo "restore: DATABASE_URL must point at PostgreSQL" >&2; exit 2 ;;
esac
media=${MEDIA_ROOT:-var/media}
private=${PRIVATE_MEDIA_ROOT:-var/private}

[ -f "$prefix.dump" ] && [ -f "$prefix.sha256" ] || { echo "restore: no backup at $prefix" >&2; exit 1; }
(cd "$(dirname "$prefix")" && sha256sum --check --quiet "$(basename "$prefix").sha256") \
  || { echo "restore: the backup's checksums do not match" >&2; exit 1; }

tables=$(psql "$DATABASE_URL" -Atc "select count(*) from information_schema.tables where table_schema = 'public'")
[ "$tables" = 0 ] || { echo "restore: the target database already has $tables tables; restore into a new one" >&2; exit 1; }
for dir in "$media" "$private"; do
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "restore: $dir is not empty; restore into new directories" >&2
    exit 1
  fi
done

pg_restore --dbname="$DATABASE_URL" --no-owner --no-acl --exit-on-error --single-transaction "$prefix.dump"
for pair in "media:$media" "private:$private"; do
  name=${pair%%:*} dir=${pair#*:}
  if [ -f "$prefix-$name.tar.gz" ]; then
    mkdir -p "$dir"
    tar -C "$dir" -xzf "$prefix-$name.tar.gz"
  fi
done
DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev} "$PY" manage.py migrate --noinput -v 0
echo "restore: $prefix restored into ${DATABASE_URL##*/}, files into $media and $private"
