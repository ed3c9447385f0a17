#!/usr/bin/env bash
# Back up PUSH: the database (pg_dump's custom format, restorable table by table) and the files
# (public media and private documents), into DEST, under one timestamped name:
#   DEST/push-YYYYMMDDTHHMMSSZ.dump           the database (pg_dump -Fc, without owners and grants)
#   DEST/push-YYYYMMDDTHHMMSSZ-media.tar.gz   MEDIA_ROOT (images and documents of the public site)
#   DEST/push-YYYYMMDDTHHMMSSZ-private.tar.gz PRIVATE_MEDIA_ROOT (designation acts, lists, imports)
#   DEST/push-YYYYMMDDTHHMMSSZ.sha256         checksums of the three
# Prints the backup's prefix (the argument scripts/restore.sh takes).
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=... PRIVATE_MEDIA_ROOT=... scripts/backup.sh /backups
#
# With object storage (docs/DEPLOYMENT.md) the files are the bucket's: back it up with the
# provider's versioning or replication instead, and set PUSH_BACKUP_FILES=0 here.
# Not in the backup, on purpose: SECRET_KEY, PUSH_PSEUDONYM_KEY and PUSH_FILE_KEY. The applicant
# lists are encrypted with PUSH_FILE_KEY and pseudonyms are keyed with PUSH_PSEUDONYM_KEY: keep
# those in the secrets vault, apart from the backups; a backup restored without them loses both.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=${1:?"usage: scripts/backup.sh DEST_DIR"}
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) ;;
  *) echo "backup: DATABASE_URL must point at PostgreSQL" >&2; exit 2 ;;
esac
media=${MEDIA_ROOT:-var/media}
private=${PRIVATE_MEDIA_ROOT:-var/private}
mkdir -p "$dest"
prefix="$dest/push-$(date -u +%Y%m%dT%H%M%SZ)"
[ ! -e "$prefix.dump" ] || { echo "backup: $prefix.dump exists already" >&2; exit 1; }

# One consistent snapshot of the database (pg_dump reads in one repeatable-read transaction),
# taken while the site runs. Files are archived after it: a file uploaded in between is in the
# archive without its row, which is harmless; the reverse cannot happen.
pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 --no-owner --no-acl --file="$prefix.dump.part"
mv "$prefix.dump.part" "$prefix.dump"
files=("$prefix.dump")
if [ "${PUSH_BACKUP_FILES:-1}" != 0 ]; then
  for pair in "media:$media" "private:$private"; do
    name=${pair%%:*} dir=${pair#*:}
    mkdir -p "$dir"
    tar -C "$dir" -czf "$prefix-$name.tar.gz.part" .
    mv "$prefix-$name.tar.gz.part" "$prefix-$name.tar.gz"
    files+=("$prefix-$name.tar.gz")
  done
fi
(cd "$dest" && sha256sum "${files[@]##*/}") >"$prefix.sha256"
echo "$prefix"
