"""Import a prepared ledger with this checkout's code; print CPU seconds of read, plan, write.

A companion of `compare_revisions.py` for a shared, loaded machine: CPU time
of this process (not wall time) varies less with other jobs. The work folder
is one `import_export.py --steps a --keep` leaves (its template database and
leads.xlsx, made by the same checkout); run it from each checkout in turn:

    .venv/bin/python bench/import_export.py --rows 20000 --steps a --keep   # prints the folder
    .venv/bin/python bench/import_phases.py /tmp/crm-bench-XXXX --runs 3

Each run imports into a fresh copy of the template database, in this process.
Works with the importer before and after the move-plan refactor (issue 13).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    "DJANGO_SETTINGS_MODULE": "crm.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_HTTPS": "0",
    "CRM_IMPORT_MAX_ROWS": "1000000",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    database = args.work / "phases.sqlite3"
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    # The checkout instead of bench/, whose import_export.py would shadow the package.
    sys.path[0] = str(ROOT)
    import django

    django.setup()
    from django.db import connection

    try:
        from leads.excel.lead_importer import LeadImporter
    except ImportError:  # before the refactor
        from leads.excel.importer import LeadImporter

    spent: dict[str, float] = {}
    for name in ("read", "plan", "write"):
        method = getattr(LeadImporter, name)

        def timed(*a, _method=method, _name=name, **k):
            started = time.process_time()
            try:
                return _method(*a, **k)
            finally:
                spent[_name] = time.process_time() - started

        setattr(LeadImporter, name, timed)
    data = (args.work / "leads.xlsx").read_bytes()
    totals = []
    for run in range(args.runs):
        connection.close()
        shutil.copy(args.work / "template.sqlite3", database)
        started = time.process_time()
        report = LeadImporter().run(data, filename="bench.xlsx")
        totals.append(time.process_time() - started)
        assert report.ok, report.error_lines()[:5]
        phases = "  ".join(f"{name} {seconds:.2f}" for name, seconds in spent.items())
        print(f"run {run + 1}: {totals[-1]:.2f} s CPU  ({phases})", flush=True)
    print(f"median {statistics.median(totals):.2f} s CPU over {args.runs} runs")


if __name__ == "__main__":
    main()
