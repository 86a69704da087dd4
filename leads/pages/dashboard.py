"""Reads for the dashboard: progress against targets, the pipeline, what is due today.

Every function runs a fixed number of queries, whatever the number of leads.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from leads.choices import PIPELINE, Stage
from leads.models import Activity, AnnualTarget, Lead
from leads.nodes import SLA, sla_late_q
from leads.overdue import late_node_counts, overdue_totals
from leads.pages.alerts import StageLimits
from leads.querysets import within_limit_q
from leads.report_tally import COLUMNS, report_sums
from leads.reports.grouped import from_cents
from leads.reports.period import Period
from leads.selectors import user_team_ids
from leads.tally import StageTotal, stage_totals

QUEUE_SIZE = 12
# What a lead shows in a short list or on a board card; loading only these
# keeps model instantiation cheap on the busiest pages.
CARD_FIELDS = (
    "id",
    "code",
    "name",
    "investor",
    "stage",
    "stage_entered_at",
    "landed_on",
    "next_follow_up",
    "industry__name",
    "team__name",
)
ZERO = Decimal("0.00")


@dataclass
class Progress:
    """Signed or landed leads of a period against the year's target."""

    label: str
    count: int
    amount: Decimal
    target_count: int | None
    target_amount: Decimal | None

    @property
    def count_percent(self) -> int | None:
        if not self.target_count:
            return None
        return round(100 * self.count / self.target_count)

    @property
    def amount_percent(self) -> int | None:
        if not self.target_amount:
            return None
        return round(100 * self.amount / self.target_amount)


def dashboard_scope(user):
    """Return the leads the dashboard's work lists show: all for 局领导, else the user's teams'.

    A user in no team (e.g. 只读) sees the whole district.
    """
    if user.has_perm("leads.manage_all_lead"):
        return Lead.objects.all(), False
    team_ids = user_team_ids(user)
    if not team_ids:
        return Lead.objects.all(), False
    return Lead.objects.filter(team_id__in=team_ids), True


def _totals(*, today: date, limits: StageLimits, team_ids: list[int] | None) -> dict:
    """Return the period, stage, warning and 督办 counts and amounts.

    Read from the tallies and from indexes rather than the wide lead rows:
    the year's counted signings and landings (`leads.report_tally`), the
    leads by stage (`leads.tally`), the leads that entered a timed stage within
    its limit (the stage index), and the leads with a planned node date that has
    passed (partial indexes). One aggregate over the whole table, as before,
    read every lead row (0.37 s at 1,000,000 leads on SQLite).
    """
    totals = _period_totals(today)
    # The signed projects past the 签约 limit are counted with the stages.
    totals.update(_stage_totals(limits, team_ids))
    totals.update(late_node_counts(today=today))
    return totals


def _period_totals(today: date) -> dict:
    """Return this month's and this year's counted signings and landings, with the counted
    amount (the 签约投资额 a lead was signed for), read from the report tally as the monthly
    report reads them (the year's leads themselves took 17-25 ms at 1,000,000, the tally 2)."""
    windows = {
        "month": Period(today.replace(day=1), today),
        "year": Period(today.replace(month=1, day=1), today),
    }
    sums = report_sums(windows, COLUMNS[:1]).total
    totals = {}
    for event, prefix in (("signed", "s"), ("landed", "l")):
        for period in windows:
            totals[f"{event}_{period}_count"] = sums[f"{period}_{prefix}_count"]
            totals[f"{event}_{period}_amount"] = from_cents(sums[f"{period}_{prefix}_amount"])
    return totals


def _stage_totals(limits: StageLimits, team_ids: list[int] | None) -> dict:
    """Return per stage the count and amount (district-wide), the 三色预警 counts (of the
    leads of `team_ids`, or all) and the signed leads past the 签约 time limit (district-wide,
    the 督办 tile's).

    A fixed number of queries whatever the number of leads: the stage tally,
    and per timed stage its leads within the limit. A stage's red (stalled) leads
    are the rest: the red, amber and green conditions split a timed stage's
    leads in three, so the leads past a limit, which pile up over the years,
    are never read.
    """
    stages = stage_totals(team_ids=team_ids)
    nothing = StageTotal(0, ZERO, 0, ZERO)
    scope_q = Q() if team_ids is None else Q(team_id__in=team_ids)
    timed = dict(limits.timed_stages())
    # One range of the stage index per timed stage, its leads within the limit, read from
    # the index alone (counted by stage, which it holds). One aggregate over the OR of the
    # ranges took 70 ms on PostgreSQL at 1,000,000 leads: a bitmap scan visits the rows.
    signed = Stage.SIGNED.value
    sla_q = sla_late_q(sla_days=limits.sla_days, now=limits.now)
    within = {}
    for stage, days in timed.items():
        counts = {
            "amber": Count("stage", filter=limits.amber_q() & scope_q),
            "green": Count("stage", filter=limits.green_q() & scope_q),
        }
        if stage == signed:
            counts["in_time"] = Count("stage", filter=~sla_q)
        within[stage] = Lead.objects.filter(
            within_limit_q(stage=stage, days=days, now=limits.now)
        ).aggregate(**counts)
    totals = {f"warning_{colour}": 0 for colour in ("red", "amber", "green")}
    for stage in [*PIPELINE, Stage.DROPPED]:
        total = stages.get(stage.value, nothing)
        totals[f"stage_{stage.value}_count"] = total.count
        totals[f"stage_{stage.value}_amount"] = total.amount
        if stage.value in timed:
            amber, green = within[stage.value]["amber"], within[stage.value]["green"]
            totals["warning_amber"] += amber
            totals["warning_green"] += green
            totals["warning_red"] += total.kept_count - amber - green
    # Signed leads not past the 签约 limit are among those read (签约 is timed when it has one).
    totals[f"overdue_{SLA}"] = (
        stages.get(signed, nothing).count - within[signed]["in_time"] if signed in timed else 0
    )
    return totals


def _progress(totals: dict, target: AnnualTarget | None) -> list[Progress]:
    return [
        Progress(
            label,
            totals[f"{key}_count"],
            totals[f"{key}_amount"],
            getattr(target, f"{kind}_count", None),
            getattr(target, f"{kind}_amount", None),
        )
        for key, kind, label in (
            ("signed_month", "signed", "本月签约"),
            ("landed_month", "landed", "本月落地"),
            ("signed_year", "signed", "本年签约"),
            ("landed_year", "landed", "本年落地"),
        )
    ]


def _work_lists(scope, *, team_scoped: bool, today: date, limits: StageLimits) -> tuple:
    """Return (the team's queue, follow-ups due, the most overdue leads), each annotated."""
    cards = scope.select_related("industry", "team").only(*CARD_FIELDS)
    queue = []
    if team_scoped:
        queue = list(cards.open().order_by("stage_entered_at", "id")[:QUEUE_SIZE])
    follow_ups = list(
        cards.follow_up_due(today=today).order_by("next_follow_up", "id")[:QUEUE_SIZE]
    )
    # One indexed query per timed stage (stage, stage_entered_at) beats one
    # OR-ed scan; the most overdue across stages are among each stage's first.
    stalled = []
    for stage, days in limits.timed_stages():
        stalled += cards.filter(
            stage=stage, stage_entered_at__lt=limits.attention_cutoff(days)
        ).order_by("stage_entered_at", "id")[:QUEUE_SIZE]
    for leads in (queue, follow_ups, stalled):
        limits.annotate(leads)
    stalled = sorted(stalled, key=lambda lead: -lead.overdue_ratio)[:QUEUE_SIZE]
    return queue, follow_ups, stalled


def dashboard_get(user, *, today: date | None = None) -> dict:
    """Return everything the dashboard shows for `user`."""
    today = today or timezone.localdate()
    limits = StageLimits.load()
    scope, team_scoped = dashboard_scope(user)
    team_ids = list(user_team_ids(user)) if team_scoped else None
    totals = _totals(today=today, limits=limits, team_ids=team_ids)
    target = AnnualTarget.objects.filter(
        year=today.year, industry__isnull=True, team__isnull=True
    ).first()
    stages = [
        {
            "stage": stage,
            "count": totals[f"stage_{stage.value}_count"],
            "amount": totals[f"stage_{stage.value}_amount"],
        }
        for stage in [*PIPELINE, Stage.DROPPED]
    ]
    queue, follow_ups, stalled = _work_lists(
        scope, team_scoped=team_scoped, today=today, limits=limits
    )
    activities = Activity.objects.select_related("lead", "created_by").order_by("-created", "-id")[
        :10
    ]
    return {
        "today": today,
        "target": target,
        "progress": _progress(totals, target),
        "stages": stages,
        "team_scoped": team_scoped,
        "queue": queue,
        "follow_ups": follow_ups,
        "stalled": stalled,
        "warnings": {c: totals[f"warning_{c}"] for c in ("red", "amber", "green")},
        "activities": list(activities),
        # The 督办 tile: late nodes district-wide, like the 督办 list.
        "overdue": overdue_totals(totals),
    }
