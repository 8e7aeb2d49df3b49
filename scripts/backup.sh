#!/usr/bin/env bash
# pnpm backup [FILE]: a backup of the whole database and the checkpoint key (see docs/BACKUP.md).
#   DATABASE_URL set   → pg_dump --format=custom of that database (consistent while the API keeps running)
#   DATABASE_URL unset → a tar.gz of the PGlite data folder (PGLITE_DIR, default .data/pglite); stop the API first
# Writes FILE (default backups/mingbai-<UTC time>.dump or .tar.gz), FILE.checkpoint-key.pem (a copy, mode 0600, of
# MINGBAI_CHECKPOINT_KEY_FILE, default .data/checkpoint-ed25519.pem: not in the database, and it cannot be remade)
# and FILE.sha256 over both, then checks the file reads back. Prints FILE on stdout; notes go to stderr.
set -euo pipefail
cd "${INIT_CWD:-$PWD}"
root="$(cd "$(dirname "$0")/.." && pwd)"
PG_BIN="${PG_BIN:-$(command -v pg_dump >/dev/null && dirname "$(command -v pg_dump)" || echo /usr/lib/postgresql/15/bin)}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
key_file="${MINGBAI_CHECKPOINT_KEY_FILE:-$root/.data/checkpoint-ed25519.pem}"

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
base="$(basename "$out")"
files=("$base")
if [[ -f "$key_file" ]]; then
  # Private: readable by the owner only, like the key itself.
  (umask 077 && cp "$key_file" "$out.checkpoint-key.pem.partial")
  chmod 600 "$out.checkpoint-key.pem.partial"
  mv "$out.checkpoint-key.pem.partial" "$out.checkpoint-key.pem"
  files+=("$base.checkpoint-key.pem")
  echo "checkpoint key $key_file copied to $out.checkpoint-key.pem (keep it private)" >&2
else
  rm -f "$out.checkpoint-key.pem"
  echo "warning: no checkpoint key at $key_file (the API makes it on first start): this backup has none" >&2
fi
(cd "$(dirname "$out")" && sha256sum "${files[@]}" >"$base.sha256")
echo "$out"
