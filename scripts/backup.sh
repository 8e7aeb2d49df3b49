#!/usr/bin/env bash
# pnpm backup [FILE]: a backup of the whole database (see docs/BACKUP.md).
#   DATABASE_URL set   → pg_dump --format=custom of that database (consistent while the API keeps running)
#   DATABASE_URL unset → a tar.gz of the PGlite data folder (PGLITE_DIR, default .data/pglite); stop the API first
# Writes FILE (default backups/mingbai-<UTC time>.dump or .tar.gz) and FILE.sha256, then checks the file reads back.
set -euo pipefail
cd "${INIT_CWD:-$PWD}"
root="$(cd "$(dirname "$0")/.." && pwd)"
PG_BIN="${PG_BIN:-$(command -v pg_dump >/dev/null && dirname "$(command -v pg_dump)" || echo /usr/lib/postgresql/15/bin)}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

if [[ -n "${DATABASE_URL:-}" ]]; then
  out="${1:-backups/mingbai-$stamp.dump}"
  mkdir -p "$(dirname "$out")"
  "$PG_BIN/pg_dump" --format=custom --compress=6 --no-owner --no-privileges --file="$out.partial" "$DATABASE_URL"
  "$PG_BIN/pg_restore" --list "$out.partial" >/dev/null # the archive's table of contents reads back
else
  dir="${PGLITE_DIR:-$root/.data/pglite}"
  [[ -f "$dir/PG_VERSION" ]] || { echo "no PGlite data folder at $dir" >&2; exit 1; }
  out="${1:-backups/mingbai-$stamp.tar.gz}"
  mkdir -p "$(dirname "$out")"
  tar -C "$dir" -czf "$out.partial" .
  tar -tzf "$out.partial" >/dev/null
fi
mv "$out.partial" "$out"
(cd "$(dirname "$out")" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
echo "$out"
