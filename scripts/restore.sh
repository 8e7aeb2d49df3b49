#!/usr/bin/env bash
# pnpm restore FILE TARGET: restores a backup made by `pnpm backup` into a NEW database, then verifies every digest,
# and puts the checkpoint key back (FILE.checkpoint-key.pem → MINGBAI_CHECKPOINT_KEY_FILE, default
# .data/checkpoint-ed25519.pem, mode 0600), checking it is the key that signed the restored database's latest checkpoint.
#   FILE.dump   → TARGET is postgres://…/newdb on a PostgreSQL server; the database must not exist yet
#   FILE.tar.gz → TARGET is a new, empty or absent PGlite data folder
# Checks FILE.sha256 (the key included) when present. Refuses, before touching anything, to replace a DIFFERENT key
# already at the key's place. Exits non-zero if anything fails, including a broken digest chain or a key that does not
# match. Stdout is the chain report's JSON; notes go to stderr.
set -euo pipefail
cd "${INIT_CWD:-$PWD}"
root="$(cd "$(dirname "$0")/.." && pwd)"
PG_BIN="${PG_BIN:-$(command -v pg_restore >/dev/null && dirname "$(command -v pg_restore)" || echo /usr/lib/postgresql/15/bin)}"
file="${1:?usage: pnpm restore FILE TARGET}"
target="${2:?usage: pnpm restore FILE TARGET}"
key_file="${MINGBAI_CHECKPOINT_KEY_FILE:-$root/.data/checkpoint-ed25519.pem}"
key_backup="$file.checkpoint-key.pem"

if [[ -f "$file.sha256" ]]; then
  (cd "$(dirname "$file")" && sha256sum --check --quiet "$(basename "$file").sha256")
fi
if [[ -f "$key_backup" ]]; then
  if [[ -e "$key_file" ]] && ! cmp -s "$key_backup" "$key_file"; then
    echo "a different checkpoint key is already at $key_file: not replacing it (move it away, or set" \
      "MINGBAI_CHECKPOINT_KEY_FILE to where the restored site's key should go)" >&2
    exit 1
  fi
else
  echo "warning: no checkpoint key beside the backup ($key_backup): the server will make a NEW key, and every" \
    "mirror will report KEY_CHANGED; restore the key from wherever you copied it" >&2
fi

if [[ "$file" == *.tar.gz ]]; then
  if [[ -d "$target" && -n "$(ls -A "$target")" ]]; then echo "$target is not empty" >&2; exit 1; fi
  mkdir -p "$target"
  tar -C "$target" -xzf "$file"
  export PGLITE_DIR="$target" DATABASE_URL=
else
  [[ "$target" == postgres://* || "$target" == postgresql://* ]] || { echo "TARGET must be postgres://…/newdb" >&2; exit 1; }
  base="${target%%\?*}"
  name="${base##*/}"
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "database name '$name' must be lowercase letters, digits, _" >&2; exit 1; }
  admin="${base%/*}/postgres"
  "$PG_BIN/psql" --quiet --no-psqlrc --set=ON_ERROR_STOP=1 "$admin" -c "create database $name"
  "$PG_BIN/pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$target" "$file"
  export DATABASE_URL="$target"
fi
# The digest chains, then the key (scripts/restore-checks.ts), from the server build as `pnpm cli` runs.
(cd "$root" && node --import tsx scripts/build-server.ts --quiet)
key_arg=()
[[ -f "$key_backup" ]] && key_arg=("$key_backup")
node --enable-source-maps "$root/.build/server/restore-checks.mjs" "${key_arg[@]}"
if [[ -f "$key_backup" ]]; then
  if [[ ! -e "$key_file" ]]; then
    mkdir -p "$(dirname "$key_file")"
    (umask 077 && cp "$key_backup" "$key_file.partial")
    chmod 600 "$key_file.partial"
    mv "$key_file.partial" "$key_file"
    echo "checkpoint key restored to $key_file" >&2
  else
    echo "checkpoint key already in place at $key_file (the same key)" >&2
  fi
fi
