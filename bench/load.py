"""Load benchmark: N staff sessions at once against the production server (gunicorn).

Usage:
    .venv/bin/python bench/load.py --database-url postgres://crm:crm@127.0.0.1:5432/crm_load
    .venv/bin/python bench/load.py --database-url sqlite:////tmp/crm_load.sqlite3 \\
        --users 30 --writers 3 --think 1.0 --seconds 60 [--workers 5] [--port 8765]

What it does, in order:

1. Prepares the database named by --database-url (its leads must already be there:
   seed them with bench/seed.py; the script refuses an empty database): migrates,
   collects the static files, and creates the staff users ``load-01`` … of mixed roles
   (局领导, 小分队组长, 小分队队员, joined to the task teams) with one known password,
   or resets that password if they exist.
2. Starts gunicorn with crm/gunicorn.conf.py and the production settings
   (DJANGO_DEBUG off, a random DJANGO_SECRET_KEY) on 127.0.0.1 only. Plain HTTP on
   loopback uses the supported DJANGO_HTTPS=0 (no HTTPS redirect, no secure-only
   cookies); nothing else is relaxed. Workers: --workers, else the config's default
   (2 × cores + 1). No db_worker: nothing here queues background jobs.
3. Logs every session in through the login form (CSRF token, password), then runs them
   for --warmup + --seconds: readers browse the dashboard, the board, the list with
   filters, lead details and the monthly report; --writers of the sessions (team members
   and leaders) find a lead of their team in the list, open it, and either move it one
   stage forward through the stage form or log an activity through the htmx form. Each
   session waits a think time, uniform in 0.5–1.5 × --think, between requests.
4. Stops the server (also on Ctrl-C or an error) and prints: requests and throughput
   counted after the warm-up, p50/p95/p99 and count per page, errors (HTTP status >= 400,
   exceptions, timeouts), "database is locked" lines in the server's log, the worker
   count and the database vendor. --json PATH also writes these figures as JSON.

The client runs on the same machine as the server and takes some of its CPU; it reads
pages with regular expressions and parses only the small stage form.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import resource
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Drop this script's folder from the path: bench/import_export.py would shadow
# the django-import-export package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

PASSWORD = "Load-bench-2026-zhaoshang"
HOST = "127.0.0.1"
# Readers' mix: (page, weight).
READ_MIX = [("dashboard", 15), ("board", 15), ("list", 30), ("detail", 35), ("report", 5)]
# Writers move leads forward from these stages (the next stage needs no data a
# form cannot fill in from the lead or with a round figure).
WRITER_STAGES = ["contact", "visit", "intent"]
NEXT_STAGE = {"contact": "visit", "visit": "intent", "intent": "signed"}
FILL_AMOUNT = {"planned_investment", "contract_amount"}
LEAD_LINK = re.compile(r'href="/leads/(\d+)/"')
ACCESS_MS = re.compile(r"(\d+)ms$")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROLES = ["局领导", "小分队组长", "小分队队员", "小分队队员"]


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- Preparing the database -----------------------------------------------------


def server_env(args) -> dict:
    """Return the environment of the production settings for this run."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="crm.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        DJANGO_HTTPS="0",
        DJANGO_LOG_FORMAT="json",
        DATABASE_URL=args.database_url,
        GUNICORN_BIND=f"{HOST}:{args.port}",
    )
    env.pop("DJANGO_BEHIND_PROXY", None)
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    return env


def prepare(env: dict, users: int, writers: int) -> dict:
    """Migrate, collect static files, create the users; return what the sessions need."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from leads.models import Industry, Lead, StageOwner

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    leads = Lead.objects.count()
    if not leads:
        sys.exit("The database holds no leads: seed it first (bench/seed.py --leads 100000).")
    owners = dict(StageOwner.objects.values_list("stage", "team_id"))
    accounts = create_users(users, writers, owners)
    context = {
        "vendor": connections["default"].vendor,
        "leads": leads,
        "industries": list(Industry.objects.values_list("pk", flat=True)),
        "teams": sorted(set(owners.values())),
        "accounts": accounts,
    }
    connections.close_all()
    return context


def create_users(users: int, writers: int, owners: dict) -> list[dict]:
    """Create (or reset) load-01 … : writers on the teams owning WRITER_STAGES, readers mixed."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from leads.models import TaskTeam

    hashed = make_password(PASSWORD)  # one hash for all: each costs a fraction of a second
    teams = list(TaskTeam.objects.order_by("id"))
    accounts = []
    for index in range(users):
        writer = index < writers
        if writer:
            stage = WRITER_STAGES[index % len(WRITER_STAGES)]
            team = next(t for t in teams if t.pk == owners[stage])
            role = "小分队队员" if index % 2 == 0 else "小分队组长"
        else:
            stage, team, role = None, teams[index % len(teams)], ROLES[index % len(ROLES)]
        user, _ = User.objects.get_or_create(username=f"load-{index + 1:02d}")
        user.password, user.is_active = hashed, True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if role != "局领导":
            team.members.add(user)
        if role == "小分队组长" and team.leader_id is None:
            team.leader = user
            team.save(update_fields=["leader"])
        accounts.append({"username": user.username, "role": role, "stage": stage, "team": team.pk})
    return accounts


# --- The server -------------------------------------------------------------------


def start_server(env: dict, log_path: Path) -> subprocess.Popen:
    """Start gunicorn in its own process group, its output into `log_path`."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(log_path, "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [str(gunicorn), "-c", "crm/gunicorn.conf.py", "crm.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(server: subprocess.Popen, port: int, limit: float = 60) -> None:
    """Wait until the login page answers 200, or fail."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see its log")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within a minute")


def stop_server(server: subprocess.Popen) -> None:
    """Graceful shutdown (SIGTERM: requests in flight finish); SIGKILL the group after 40 s."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def read_log(log_path: Path, wall: tuple) -> dict:
    """Count what the server's log says: workers booted, locked database, timeouts, errors,
    and the time the workers took per request in the measured window (access log)."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    return {
        "server_ms": served_ms(lines, wall),
        "booted": sum("Booting worker" in line for line in lines),
        "locked": sum("database is locked" in line for line in lines),
        "worker_timeouts": sum("WORKER TIMEOUT" in line for line in lines),
        "error_lines": sum('"level": "ERROR"' in line for line in lines),
    }


def served_ms(lines: list, wall: tuple) -> dict:
    """Return p50/p95 of the access log's request times within the wall-clock window."""
    ms = []
    for line in lines:
        if '"gunicorn.access"' not in line:
            continue
        entry = json.loads(line)
        at = datetime.fromisoformat(entry["time"]).timestamp()
        took = ACCESS_MS.search(entry["message"])
        if took and wall[0] <= at <= wall[1]:
            ms.append(int(took.group(1)))
    ms.sort()
    return {"p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95)} if ms else {}


# --- The client -------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    started: float
    ms: float
    ok: bool
    error: str = ""


@dataclass
class Recorder:
    samples: list = field(default_factory=list)
    writes: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def count_write(self, kind: str) -> None:
        with self.lock:
            self.writes[kind] = self.writes.get(kind, 0) + 1


class Session:
    """One logged-in browser: cookies kept, one connection per request (sync workers close)."""

    def __init__(self, port: int, recorder: Recorder, timeout: float):
        self.port, self.recorder, self.timeout = port, recorder, timeout
        self.cookies: dict[str, str] = {}

    def request(self, page, method, path, form=None, headers=None):
        """Send one request, record it under `page`; return (status, body) or (0, "")."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.monotonic()
        try:
            status, text = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            elapsed = (time.monotonic() - started) * 1000
            self.recorder.add(Sample(page, started, elapsed, False, type(error).__name__))
            return 0, ""
        elapsed = (time.monotonic() - started) * 1000
        ok = status < 400
        self.recorder.add(Sample(page, started, elapsed, ok, "" if ok else f"HTTP {status}"))
        return status, text

    def _send(self, method, path, body, headers):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()

    def login(self, username: str) -> bool:
        status, text = self.request("login form", "GET", "/accounts/login/")
        token = CSRF_FIELD.search(text)
        if status != 200 or not token:
            return False
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": PASSWORD,
            "next": "/",
        }
        status, _ = self.request("login", "POST", "/accounts/login/", form)
        return status == 302 and "sessionid" in self.cookies


class StageFormParser(HTMLParser):
    """Collect the fields of the form with id="stage-form": inputs, selects, textareas."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.inside = False
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == "stage-form"
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self.select = attrs.get("name")
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def think(rng: random.Random, seconds: float, stop: threading.Event) -> None:
    stop.wait(rng.uniform(0.5, 1.5) * seconds)


def list_query(rng: random.Random, context: dict) -> str:
    """Return a list URL with a filter staff use: stage, industry, team, search, sort, page."""
    choices = [
        "",
        f"?stage=signed&o=-amount&page={rng.randint(1, 60)}",
        f"?industry={rng.choice(context['industries'])}&stage=intent",
        f"?team={rng.choice(context['teams'])}&o=follow_up",
        f"?q=基准测试投资方{rng.randint(0, 99999)}",
        "?stalled=true&o=waiting",
        f"?source=own&page={rng.randint(1, 20)}",
    ]
    query = rng.choice(choices)
    return "/leads/" + urllib.parse.quote(query, safe="?=&")


def read_step(session: Session, rng: random.Random, context: dict, seen: list) -> None:
    """Open one page of the readers' mix."""
    page = rng.choices([p for p, _ in READ_MIX], [w for _, w in READ_MIX])[0]
    open_page(session, page if seen or page != "detail" else "list", rng, context, seen)


def open_page(session: Session, page: str, rng: random.Random, context: dict, seen: list):
    """Open `page` (a READ_MIX name); a list page refills `seen` with the leads it shows."""
    if page == "dashboard":
        session.request(page, "GET", "/")
    elif page == "board":
        industry = rng.choice(context["industries"])
        path = rng.choice(["/leads/board/", f"/leads/board/?industry={industry}&stalled=true"])
        session.request(page, "GET", path)
    elif page == "list":
        _, text = session.request(page, "GET", list_query(rng, context))
        seen[:] = (LEAD_LINK.findall(text) or seen)[:50]
    elif page == "detail":
        session.request(page, "GET", f"/leads/{rng.choice(seen)}/")
    else:
        session.request(page, "GET", "/reports/monthly/")


def baseline(context: dict, args) -> Recorder:
    """Open each reader page --baseline times, one request at a time, before the load."""
    recorder = Recorder()
    session = Session(args.port, recorder, args.timeout)
    reader = context["accounts"][args.writers % len(context["accounts"])]
    session.login(reader["username"])
    rng, seen = random.Random(args.seed), []
    open_page(session, "list", rng, context, seen)
    warm_workers(session, context, seen, args.workers or default_workers())
    for _ in range(args.baseline):
        for page, _ in READ_MIX:
            open_page(session, page, rng, context, seen)
    recorder.samples = [s for s in recorder.samples if not s.page.startswith("login")]
    return recorder


def warm_workers(session: Session, context: dict, seen: list, workers: int) -> None:
    """Open each reader page from `workers` threads at once, unrecorded: warms every worker."""
    quiet = Session(session.port, Recorder(), session.timeout)
    quiet.cookies = dict(session.cookies)
    for page, _ in READ_MIX:
        threads = [
            threading.Thread(target=open_page, args=(quiet, page, random.Random(n), context, seen))
            for n in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def stage_move(session: Session, pk: str, to_stage: str) -> None:
    """Open the stage form of `pk`, fill in what is blank and required, submit it."""
    path = f"/leads/{pk}/stage/{to_stage}/"
    status, text = session.request("stage form", "GET", path)
    if status != 200:
        return
    parser = StageFormParser()
    parser.feed(text)
    form = parser.fields
    for name in FILL_AMOUNT & form.keys():
        form[name] = form[name] or "1000"
    if "signed_on" in form and not form["signed_on"]:
        form["signed_on"] = date.today().isoformat()
    status, _ = session.request("stage move (POST)", "POST", path, form)
    session.recorder.count_write("stage moved" if status == 302 else f"stage refused {status}")


def log_activity(session: Session, pk: str, token: str) -> None:
    """Post the detail page's activity form the way htmx does."""
    today = date.today()
    form = {
        "csrfmiddlewaretoken": token,
        "occurred_on": today.isoformat(),
        "kind": "call",
        "participants": "负载测试",
        "next_follow_up": (today + timedelta(days=7)).isoformat(),
        "summary": "电话跟进（负载测试）",
        "next_step": "",
    }
    headers = {"HX-Request": "true", "HX-Target": "activities"}
    path = f"/leads/{pk}/activities/"
    status, text = session.request("activity (htmx POST)", "POST", path, form, headers)
    refused = status != 200 or "errorlist" in text
    session.recorder.count_write(f"activity refused {status}" if refused else "activity logged")


def write_step(session, rng, account, stop, think_time) -> None:
    """Find a lead of the writer's team and stage, open it, move it or log an activity."""
    stage, team = account["stage"], account["team"]
    path = f"/leads/?stage={stage}&team={team}&page={rng.randint(1, 40)}"
    _, text = session.request("list (writer)", "GET", path)
    ids = LEAD_LINK.findall(text)
    if not ids:
        return
    pk = rng.choice(ids)
    think(rng, think_time, stop)
    status, text = session.request("detail", "GET", f"/leads/{pk}/")
    token = CSRF_FIELD.search(text)
    if status != 200 or not token or stop.is_set():
        return
    think(rng, think_time, stop)
    if rng.random() < 0.5:
        stage_move(session, pk, NEXT_STAGE[stage])
    else:
        log_activity(session, pk, token.group(1))


def run_session(session, account, context, args, ready, stop) -> None:
    """Log in, wait for the others, then browse (or write) until `stop` is set."""
    rng = random.Random(f"{args.seed}-{account['username']}")
    logged_in = session.login(account["username"])
    try:
        ready.wait()
    except threading.BrokenBarrierError:  # interrupted before the start
        return
    if not logged_in:
        return
    stop.wait(rng.uniform(0, args.think))  # do not all start on the same tick
    seen: list = []
    while not stop.is_set():
        if account["stage"]:
            write_step(session, rng, account, stop, args.think)
        else:
            read_step(session, rng, context, seen)
        think(rng, args.think, stop)


# --- Figures ----------------------------------------------------------------------


def percentile(sorted_ms: list, q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(q * (len(sorted_ms) - 1)))]


def page_rows(samples: list) -> dict:
    """Return {page: {count, p50, p95, p99, errors}} plus "all pages"."""
    groups: dict[str, list] = {}
    for sample in samples:
        groups.setdefault(sample.page, []).append(sample)
    groups["all pages"] = samples
    rows = {}
    for page, group in groups.items():
        ms = sorted(s.ms for s in group)
        if not ms:
            continue
        rows[page] = {
            "count": len(ms),
            "p50": percentile(ms, 0.50),
            "p95": percentile(ms, 0.95),
            "p99": percentile(ms, 0.99),
            "errors": sum(not s.ok for s in group),
        }
    return rows


def summarise(recorder: Recorder, window: tuple, context: dict, extra: dict, args) -> dict:
    """Return the run's figures: requests in the measured window, per page, errors."""
    start, end = window[:2]
    measured = [s for s in recorder.samples if start <= s.started < end]
    logins = [s for s in recorder.samples if s.page.startswith("login")]
    errors: dict[str, int] = {}
    for sample in measured + logins:
        if not sample.ok:
            errors[sample.error] = errors.get(sample.error, 0) + 1
    return {
        "vendor": context["vendor"],
        "leads": context["leads"],
        "workers": args.workers or default_workers(),
        "users": args.users,
        "writers": args.writers,
        "think": args.think,
        "seconds": args.seconds,
        "requests": len(measured),
        "throughput": len(measured) / (end - start),
        "pages": page_rows(measured),
        "login": page_rows([s for s in logins if s.page == "login"]).get("login"),
        "errors": errors,
        "writes": dict(sorted(recorder.writes.items())),
        **extra,
    }


def default_workers() -> int:
    """The worker count crm/gunicorn.conf.py picks when --workers is not given."""
    env = os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY")
    return int(env or 2 * multiprocessing.cpu_count() + 1)


def report(figures: dict) -> None:
    f = figures
    out(
        f"{f['vendor']}, {f['leads']} leads, gunicorn {f['workers']} workers "
        f"({f['booted']} booted), {f['users']} users of which {f['writers']} writers, "
        f"think {f['think']} s, {f['seconds']} s measured; load average before "
        f"{f['load_before']:.2f}"
    )
    if f["login"]:
        out(f"login: {f['login']['count']} sessions, p50 {f['login']['p50']:.0f} ms")
    out(f"alone: each reader page {f['baseline_runs']} times, one request at a time, first")
    header = f"{'page':22} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    out(f"{header} {'alone p50':>9}")
    for page, row in f["pages"].items():
        alone = f["alone"].get(page, {}).get("p50")
        out(
            f"{page:22} {row['count']:6d} {row['p50']:8.1f} {row['p95']:8.1f} "
            f"{row['p99']:8.1f} {row['errors']:6d} {'' if alone is None else f'{alone:9.1f}'}"
        )
    out(f"requests {f['requests']}, throughput {f['throughput']:.1f} req/s")
    served = f["server_ms"]
    if served:
        out(f"time in the workers (access log): p50 {served['p50']} ms, p95 {served['p95']} ms")
    out(f"client CPU {f['client_cpu_s']:.1f} s (all sessions, baseline and logins included)")
    errors = sum(f["errors"].values())
    out(f"errors {errors} {f['errors'] or ''}".rstrip())
    out(f'"database is locked" in server log: {f["locked"]}')
    out(f"worker timeouts {f['worker_timeouts']}, ERROR log lines {f['error_lines']}")
    out("writes: " + ", ".join(f"{k} {v}" for k, v in f["writes"].items()))


# --- Main -------------------------------------------------------------------------


def drive(context: dict, args, recorder: Recorder) -> tuple:
    """Run every session for warm-up + measured seconds; return the measured window
    as (monotonic start, monotonic end, wall-clock start, wall-clock end)."""
    ready = threading.Barrier(len(context["accounts"]) + 1)
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=run_session,
            args=(Session(args.port, recorder, args.timeout), account, context, args, ready, stop),
            daemon=True,
        )
        for account in context["accounts"]
    ]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
        start, wall = time.monotonic() + args.warmup, time.time() + args.warmup
        time.sleep(args.warmup + args.seconds)
        end = time.monotonic()
    finally:
        stop.set()
        ready.abort()  # sessions still waiting for the start give up
        deadline = time.monotonic() + args.timeout + 5
        for thread in threads:
            thread.join(timeout=max(0, deadline - time.monotonic()))
    return start, end, wall, wall + (end - start)


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--users", type=int, default=30, help="sessions at once (default 30)")
    parser.add_argument("--writers", type=int, default=3, help="of the users (default 3)")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--seconds", type=float, default=60, help="measured time (default 60)")
    parser.add_argument("--warmup", type=float, default=5, help="not counted (default 5)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--baseline", type=int, default=5, help="times each page alone, before (default 5)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    if not 0 <= args.writers <= args.users:
        parser.error("--writers must be between 0 and --users")
    return args


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the server on kill too
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    context = prepare(env, args.users, args.writers)
    log_path = OUT / f"load-{context['vendor']}-{time.strftime('%Y%m%d-%H%M%S')}.log"
    recorder = Recorder()
    server = start_server(env, log_path)
    load_before = os.getloadavg()[0]
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        wait_until_up(server, args.port)
        alone = baseline(context, args)
        window = drive(context, args, recorder)
    finally:
        stop_server(server)
    client = resource.getrusage(resource.RUSAGE_SELF)
    extra = {
        "load_before": load_before,
        "client_cpu_s": client.ru_utime
        + client.ru_stime
        - client_before.ru_utime
        - client_before.ru_stime,
        "baseline_runs": args.baseline,
        "alone": page_rows(alone.samples),
        **read_log(log_path, window[2:]),
    }
    figures = summarise(recorder, window, context, extra, args)
    report(figures)
    out(f"server log: {log_path.relative_to(ROOT)}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
