#!/usr/bin/env bash
# The restore, tested: back up a seeded PUSH (DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT) with
# scripts/backup.sh, restore it with scripts/restore.sh into a new database and new directories,
# then compare the row count of every table, and every file's checksum, with the original.
# The key tables (entities, people, units, import jobs) must not be empty. Removes what it
# made. scripts/check_topology.sh runs it on the database and files its run produced; CI runs that.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
: "${DATABASE_URL:?the database to back up}" "${MEDIA_ROOT:?}" "${PRIVATE_MEDIA_ROOT:?}"

work=$(mktemp -d -t push-restore-XXXXXX)
target="push_ci_restore_$$"
target_url="${DATABASE_URL%/*}/$target"
cleanup() {
  dropdb -h 127.0.0.1 -U postgres --if-exists "$target" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

counts() {
  psql "$1" -Atc "
    select table_name || ' ' || (xpath('/row/c/text()', query_to_xml(
      format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text
    from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'push_cache'
    order by table_name"
}
checksums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0r sha256sum); }

prefix=$(scripts/backup.sh "$work/backups")
createdb -h 127.0.0.1 -U postgres "$target"
DATABASE_URL="$target_url" MEDIA_ROOT="$work/media" PRIVATE_MEDIA_ROOT="$work/private" PY=$PY \
  scripts/restore.sh "$prefix" >/dev/null

counts "$DATABASE_URL" >"$work/before"
counts "$target_url" >"$work/after"
if ! diff -u "$work/before" "$work/after"; then
  echo "check_backup: the restored database differs from the original (row counts above)" >&2
  exit 1
fi
for table in registry_entity registry_user registry_unit registry_importjob; do
  rows=$(awk -v t="$table" '$1 == t {print $2}' "$work/after")
  [ "${rows:-0}" -gt 0 ] || { echo "check_backup: $table is empty: nothing was really backed up" >&2; exit 1; }
done
for pair in "media:$MEDIA_ROOT" "private:$PRIVATE_MEDIA_ROOT"; do
  name=${pair%%:*} dir=${pair#*:}
  mkdir -p "$dir"
  if ! diff <(checksums "$dir") <(checksums "$work/$name"); then
    echo "check_backup: the restored $name files differ from the original" >&2
    exit 1
  fi
done
files=$(checksums "$PRIVATE_MEDIA_ROOT" | wc -l)
[ "$files" -gt 0 ] || { echo "check_backup: no private file to restore: nothing was really backed up" >&2; exit 1; }
tables=$(wc -l <"$work/after")
units=$(awk '$1 == "registry_unit" {print $2}' "$work/after")
echo "backup: restored into a new database: $tables tables with equal row counts ($units units); private files identical ($files)"
