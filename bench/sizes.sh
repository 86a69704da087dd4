#!/usr/bin/env bash
# The benchmarks' table at several sizes on one database: seed (bench/seed.py), then
# the pages and the report at each size. Usage, from the repository root:
#   bench/sizes.sh sqlite 10000 100000 1000000
#   bench/sizes.sh postgres 10000 100000 1000000   # needs PG_URL_BASE, e.g. postgres://crm:crm@localhost
# Each size gets its own database (SQLite file bench/out/size-N.sqlite3, or PostgreSQL
# database crm_size_N), kept for later runs; output in bench/out/sizes-<db>-N.txt.
set -euo pipefail
db=$1; shift
runs=${RUNS:-7}
mkdir -p bench/out
for n in "$@"; do
  if [ "$db" = sqlite ]; then
    url="sqlite:///$PWD/bench/out/size-$n.sqlite3"
  else
    url="${PG_URL_BASE:?}/crm_size_$n"
    psql "${PG_URL_BASE}/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname = 'crm_size_$n'" \
      | grep -q 1 || psql "${PG_URL_BASE}/postgres" -qc "CREATE DATABASE crm_size_$n"
  fi
  out="bench/out/sizes-$db-$n.txt"
  {
    DATABASE_URL=$url .venv/bin/python bench/seed.py --leads "$n"
    DATABASE_URL=$url .venv/bin/python bench/pages.py --leads "$n" --runs "$runs"
    DATABASE_URL=$url .venv/bin/python bench/report.py --leads "$n" --runs "$runs"
  } 2>&1 | grep -v -e " INFO " -e '"level": "INFO"' | tee "$out"
done
