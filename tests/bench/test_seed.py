"""bench/seed.py writes the rows the services would: every check and benchmark uses its data."""

import json
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test import Client

from aftercare.models import Enterprise, Problem
from bench.seed import _secondary_indexes, seed_database
from leads.choices import Stage
from leads.dedup.normal import lead_keys
from leads.models import Lead, PaidIn, StageTransition
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.reports.serialise import report_data
from leads.tally import stage_totals


@pytest.fixture
def seeded(reference_data):
    seed_database(400, years=3)


def _indexes(table):
    return sorted(name for name, _sql in _secondary_indexes(table))


@pytest.mark.django_db(transaction=True)
def test_the_schema_ends_as_the_migrations_left_it(reference_data):
    before = {t: _indexes(t) for t in ("leads_lead", "leads_stagetransition", "leads_paidin")}
    seed_database(50, years=1)
    assert {t: _indexes(t) for t in before} == before
    assert "lead_signed_event_idx" in before["leads_lead"]


@pytest.mark.django_db
def test_every_lead_is_valid_with_its_whole_path(seeded):
    leads = list(Lead.all_objects.all())
    assert len(leads) == 400
    assert {lead.stage for lead in leads} == set(Stage.values)
    paths = defaultdict(list)
    for row in StageTransition.objects.order_by("at", "pk"):
        paths[row.lead_id].append(row)
    # A merge moves the merged lead's rows to the lead kept: those two are checked apart.
    merges = {pk for lead in leads if lead.merged_into_id for pk in (lead.pk, lead.merged_into_id)}
    assert merges
    for lead in leads:
        lead.full_clean(exclude=["credit_code"])
        if lead.pk in merges:
            continue
        path = paths[lead.pk]
        assert path[0].from_stage == "" and path[0].to_stage == Stage.CONTACT
        steps = [(t.from_stage, t.to_stage) for t in path]
        assert all(a[1] == b[0] for a, b in pairwise(steps)), (lead.pk, steps)
        assert path[-1].to_stage == lead.stage
        assert path[-1].at == lead.stage_entered_at
        # The counted events, as the pipeline rules record them on entering.
        if Stage.SIGNED in {t.to_stage for t in path}:
            assert (lead.first_signed_on, lead.first_signed_amount) == (
                lead.signed_on,
                lead.contract_amount,
            )
        else:
            assert lead.first_signed_on is None
        assert lead.first_landed_on == (lead.landed_on if lead.stage == Stage.LANDED else None)
        keys = lead_keys(lead.investor, lead.name, lead.credit_code)
        assert {k: getattr(lead, k) for k in keys} == keys


@pytest.mark.django_db
def test_history_instalments_and_enterprises_match_the_leads(seeded):
    history = Lead.history.model
    # One field-history row per step (and the merges' own rows), the first a creation.
    steps = Counter(StageTransition.objects.values_list("lead_id", flat=True))
    rows = Counter(history.objects.values_list("id", flat=True))
    assert all(rows[pk] >= count for pk, count in steps.items())
    created = history.objects.filter(history_type="+")
    assert created.count() == 400
    assert not created.filter(signed_on__isnull=False).exists()
    assert set(created.values_list("stage", flat=True)) == {Stage.CONTACT}
    paid = defaultdict(Decimal)
    for lead_id, amount in PaidIn.objects.values_list("lead_id", "amount"):
        paid[lead_id] += amount
    for lead in Lead.all_objects.filter(paid_in__isnull=False):
        assert paid[lead.pk] == lead.paid_in
    landed = Lead.all_objects.filter(stage=Stage.LANDED)
    assert set(Enterprise.objects.values_list("lead_id", flat=True)) >= set(
        landed.filter(merged_into__isnull=True).values_list("pk", flat=True)
    )
    assert Problem.objects.exists()
    assert Lead.all_objects.filter(merged_into__isnull=False).exists()


@pytest.mark.django_db
def test_the_report_and_the_detail_pages_read_the_seeded_leads(seeded):
    signed = Lead.objects.filter(first_signed_on__isnull=False)
    last = signed.latest("first_signed_on").first_signed_on
    period = Period.month(last.year, last.month)
    data = json.loads(json.dumps(report_data(monthly_report_build(period)), default=str))
    counted = Lead.objects.filter(first_signed_on__range=(period.start, period.end)).count()
    assert data["month_totals"]["signed"]["count"] == counted > 0
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    for stage in Stage.values:
        lead = Lead.all_objects.filter(stage=stage).first()
        assert client.get(f"/leads/{lead.pk}/").status_code == 200, stage
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db(transaction=True)
def test_the_stage_tally_counts_the_seeded_leads_and_its_triggers_are_back(reference_data):
    seed_database(300, years=2)
    counted = {
        row["stage"]: row["n"]
        for row in Lead.objects.values("stage").annotate(n=Count("pk")).order_by()
    }
    assert {stage: total.count for stage, total in stage_totals().items()} == counted
    # The triggers count what is written after the seed.
    lead = Lead.objects.filter(stage=Stage.CONTACT).first()
    Lead.objects.filter(pk=lead.pk).update(stage=Stage.VISIT, visited_on=lead.created.date())
    assert stage_totals()[Stage.VISIT].count == counted[Stage.VISIT] + 1
