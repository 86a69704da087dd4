"""After a signing: drops (签约后终止) and changes to earlier periods (调整说明)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead, ReportSnapshot, StageTransition
from leads.querysets import signed_in_q
from leads.reports.figures import (
    AdjustmentRow,
    DroppedRow,
    SignedThenDropped,
    Tally,
    money,
)
from leads.reports.grouped import cents, cents_sum, from_cents
from leads.reports.period import LocalDate, Period, day_start, next_day_start


def signed_then_dropped(period: Period) -> SignedThenDropped:
    """Return the drops of counted signings in `period` and in its year to date (two queries).

    A drop counts in the month it happened when the lead's signing was
    counted before it (recorded on or before the day of the drop); the
    amount is the counted signing amount. The signing stays in its own
    month. The totals are summed by the database; only the period's drops
    are listed.
    """
    ytd = period.year_to_date
    low = min(ytd.start, period.start)
    in_month = Q(at__gte=day_start(period.start), at__lt=next_day_start(period.end))
    in_ytd = Q(at__gte=day_start(ytd.start), at__lt=next_day_start(ytd.end))
    local_day = LocalDate("at", Period(low, period.end))
    drops = StageTransition.objects.own().filter(
        signed_in_q(prefix="lead__"),
        # Not a drop of a signing recorded only after this drop was reopened. A
        # signing recorded before the first day read precedes every drop read:
        # that branch comes first, so the local day of `at` (a Python function
        # per row on SQLite) is worked out only for signings recorded since.
        Q(lead__first_signed_entered__isnull=True)
        | Q(lead__first_signed_entered__lt=low)
        | Q(lead__first_signed_entered__lte=local_day),
        to_stage=Stage.DROPPED,
        at__gte=day_start(low),
        at__lt=next_day_start(period.end),
    )
    amount = "lead__first_signed_amount"
    sums = drops.aggregate(
        month_count=Count("pk", filter=in_month),
        month_amount=cents_sum(amount, in_month),
        ytd_count=Count("pk", filter=in_ytd),
        ytd_amount=cents_sum(amount, in_ytd),
    )
    result = SignedThenDropped()
    result.month.add(Tally(sums["month_count"], from_cents(sums["month_amount"])))
    result.ytd.add(Tally(sums["ytd_count"], from_cents(sums["ytd_amount"])))
    result.leads.extend(_dropped_rows(drops.filter(in_month), period))
    return result


def _dropped_rows(drops, days: Period) -> list[DroppedRow]:
    """Return the listed drops of `drops` (StageTransition rows within `days`), in the order
    they happened; the day and the reason are read out by the database."""
    listed = drops.order_by("at", "id").values_list(
        "lead_id",
        "lead__code",
        "lead__name",
        "lead__credit_team__name",
        "lead__first_signed_on",
        LocalDate("at", days),
        cents("lead__first_signed_amount"),
        KeyTextTransform("drop_reason", "data"),
        "lead__drop_reason",
    )
    return [
        DroppedRow(
            pk=pk,
            code=code,
            name=name,
            team=team or "",
            signed_on=signed_on,
            dropped_on=dropped_on,
            amount=from_cents(amount),
            reason=reason or lead_reason,
        )
        for pk, code, name, team, signed_on, dropped_on, amount, reason, lead_reason in listed
    ]


def adjustments(period: Period) -> list[AdjustmentRow]:
    """Return the changes made in `period` to earlier figures, oldest first (three queries).

    Corrections (更正误录) made in the period remove a counted signing or
    landing from its month; signings and landings first recorded in the
    period with a date before it (补录) add to an earlier month. Each row
    says whether the month it changes is locked (封存): a locked report is
    never rewritten, so this list is where the change shows.
    """
    locked = list(ReportSnapshot.objects.order_by().values_list("start", "end").distinct())

    def is_locked(day: date) -> bool:
        return any(start <= day <= end for start, end in locked)

    rows = [*_correction_rows(period, is_locked), *_late_entry_rows(period, is_locked)]
    rows.sort(key=lambda row: (row.changed_on, row.code, row.event))
    return rows


def _correction_rows(period: Period, is_locked) -> list[AdjustmentRow]:
    """Return the corrections (更正误录) made in `period`: one row per voided signing or landing."""
    rows = []
    corrections = (
        StageTransition.objects.own()
        .filter(correction=True, at__gte=day_start(period.start), at__lt=next_day_start(period.end))
        .select_related("lead", "actor")
        .order_by("at", "id")
    )
    for move in corrections:
        for event in ("signed", "landed"):
            voided = move.data.get(f"voided_{event}_on")
            if not voided:
                continue
            event_on = date.fromisoformat(voided)
            rows.append(
                AdjustmentRow(
                    kind="correction",
                    pk=move.lead_id,
                    code=move.lead.code,
                    name=move.lead.name,
                    event=event,
                    event_on=event_on,
                    amount=money(Decimal(move.data.get("voided_amount") or 0)),
                    changed_on=timezone.localdate(move.at),
                    by=_user_name(move.actor),
                    reason=move.note,
                    locked=is_locked(event_on),
                )
            )
    return rows


def _late_entry_rows(period: Period, is_locked) -> list[AdjustmentRow]:
    """Return the signings and landings first recorded in `period` with a date before it (补录)."""
    rows = []
    late = Lead.objects.filter(
        Q(
            first_signed_entered__gte=period.start,
            first_signed_entered__lte=period.end,
            first_signed_on__lt=period.start,
        )
        | Q(
            first_landed_entered__gte=period.start,
            first_landed_entered__lte=period.end,
            first_landed_on__lt=period.start,
        )
    ).values(
        "pk",
        "code",
        "name",
        "first_signed_on",
        "first_signed_entered",
        "first_signed_amount",
        "first_landed_on",
        "first_landed_entered",
    )
    for lead in late.order_by("code"):
        for event in ("signed", "landed"):
            event_on, entered = lead[f"first_{event}_on"], lead[f"first_{event}_entered"]
            if event_on is None or not period.contains(entered) or event_on >= period.start:
                continue
            rows.append(
                AdjustmentRow(
                    kind="late_entry",
                    pk=lead["pk"],
                    code=lead["code"],
                    name=lead["name"],
                    event=event,
                    event_on=event_on,
                    amount=money(lead["first_signed_amount"]),
                    changed_on=entered,
                    by="",
                    reason="补录：本期录入的日期早于本期",
                    locked=is_locked(event_on),
                )
            )
    return rows


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
