"""How long a staff write waits while a 局领导 locks (封存) the monthly report.

Usage (a seeded database: bench/seed.py):
    DATABASE_URL=sqlite:///$PWD/bench/out/size-1000000.sqlite3 .venv/bin/python bench/lock_wait.py
    DATABASE_URL=… .venv/bin/python bench/lock_wait.py --month 2026-11 --after 3

Starts `report_lock` of the month in one thread; --after seconds later, on its own
connection, sets one lead's 下次跟进 in a transaction (what a staff edit writes) and
prints how long that write took, and how long the lock took. Baseline in the same run:
the same write with no lock under way. At the end the locked version it made is
deleted and the lead's 下次跟进 put back, so the benchmark database serves the live
report again (bench/pages.py) and holds what it held.
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Drop this script's folder from the path: bench/import_export.py would shadow
# the django-import-export package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from leads.models import Lead, ReportSnapshot  # noqa: E402
from leads.reports.locks import report_lock  # noqa: E402
from leads.reports.period import Period, PeriodError  # noqa: E402


def timed_write(pk: int) -> str:
    """Write one lead in a transaction; return its time, or how it failed."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            Lead.objects.filter(pk=pk).update(next_follow_up=timezone.localdate())
    except Exception as error:  # reported, not raised: the figure is the point
        return f"failed after {time.perf_counter() - started:.1f} s: {error}"
    return f"{(time.perf_counter() - started) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--after", type=float, default=3.0, help="seconds into the lock")
    args = parser.parse_args()
    try:
        period = Period.parse_month(args.month)
    except PeriodError as error:
        sys.exit(f"--month：{error}")
    last = Lead.objects.order_by("-pk").values("pk", "next_follow_up").first()
    if last is None:
        sys.exit("No leads: seed the database first (bench/seed.py).")
    pk = last["pk"]
    print(f"{connection.vendor}; baseline, the write alone: {timed_write(pk)}")
    took = {}

    def lock() -> None:
        started = time.perf_counter()
        try:
            snapshot = report_lock(period=period, actor=None, reason="bench lock_wait")
            took["lock"] = f"{time.perf_counter() - started:.1f} s"
            took["snapshot"] = snapshot.pk
        except Exception as error:  # reported below
            took["lock"] = f"failed: {error}"
        finally:
            connection.close()

    locker = threading.Thread(target=lock)
    locker.start()
    time.sleep(args.after)
    during = timed_write(pk)
    locker.join()
    # Leave the database as it was: no locked version, the lead's 下次跟进 as before.
    ReportSnapshot.objects.filter(pk=took.get("snapshot")).delete()
    Lead.objects.filter(pk=pk).update(next_follow_up=last["next_follow_up"])
    print(f"the write {args.after:g} s into the lock: {during}; the lock: {took['lock']}")


if __name__ == "__main__":
    main()
