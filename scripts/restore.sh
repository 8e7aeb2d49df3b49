#!/usr/bin/env bash
# pnpm restore FILE TARGET: restores a backup made by `pnpm backup` into a NEW database, then verifies every digest.
#   FILE.dump   → TARGET is postgres://…/newdb on a PostgreSQL server; the database must not exist yet
#   FILE.tar.gz → TARGET is a new, empty or absent PGlite data folder
# Checks FILE.sha256 when present. Exits non-zero if anything fails, including a broken digest chain.
set -euo pipefail
cd "${INIT_CWD:-$PWD}"
root="$(cd "$(dirname "$0")/.." && pwd)"
PG_BIN="${PG_BIN:-$(command -v pg_restore >/dev/null && dirname "$(command -v pg_restore)" || echo /usr/lib/postgresql/15/bin)}"
file="${1:?usage: pnpm restore FILE TARGET}"
target="${2:?usage: pnpm restore FILE TARGET}"

if [[ -f "$file.sha256" ]]; then
  (cd "$(dirname "$file")" && sha256sum --check --quiet "$(basename "$file").sha256")
fi

if [[ "$file" == *.tar.gz ]]; then
  if [[ -d "$target" && -n "$(ls -A "$target")" ]]; then echo "$target is not empty" >&2; exit 1; fi
  mkdir -p "$target"
  tar -C "$target" -xzf "$file"
  PGLITE_DIR="$target" DATABASE_URL= "$root/node_modules/.bin/tsx" "$root/scripts/verify-chains.ts"
else
  [[ "$target" == postgres://* || "$target" == postgresql://* ]] || { echo "TARGET must be postgres://…/newdb" >&2; exit 1; }
  base="${target%%\?*}"
  name="${base##*/}"
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "database name '$name' must be lowercase letters, digits, _" >&2; exit 1; }
  admin="${base%/*}/postgres"
  "$PG_BIN/psql" --quiet --no-psqlrc --set=ON_ERROR_STOP=1 "$admin" -c "create database $name"
  "$PG_BIN/pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$target" "$file"
  DATABASE_URL="$target" "$root/node_modules/.bin/tsx" "$root/scripts/verify-chains.ts"
fi
