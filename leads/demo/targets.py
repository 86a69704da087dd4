"""Demo units (引进单位) and annual targets for last year and this year."""

from datetime import date
from decimal import Decimal

from leads.demo.names import LEADERS, UNITS
from leads.models import AnnualTarget, Industry, TaskTeam, Unit

# (signed_count, signed_amount, landed_count, landed_amount) for each kind of target.
DISTRICT = (80, "3000000", 55, "2000000")
PER_INDUSTRY = (8, "300000", 6, "200000")
PER_TEAM = (16, "600000", 11, "400000")
PER_UNIT = (10, "400000", 7, "250000")
PER_LEADER = (14, "500000", 10, "350000")


def demo_units() -> list[Unit]:
    """Return the demo units, creating those that do not exist yet."""
    return [
        Unit.objects.get_or_create(name=name, defaults={"kind": kind})[0] for name, kind in UNITS
    ]


def _target(year, figures, **scope):
    signed_count, signed_amount, landed_count, landed_amount = figures
    AnnualTarget.objects.create(
        year=year,
        signed_count=signed_count,
        signed_amount=Decimal(signed_amount),
        landed_count=landed_count,
        landed_amount=Decimal(landed_amount),
        **scope,
    )


def demo_targets(today: date, units: list[Unit]) -> None:
    """Create the district's targets and their breakdown for last year and this year."""
    industries = list(Industry.objects.all())
    teams = list(TaskTeam.objects.all())
    for year in (today.year - 1, today.year):
        _target(year, DISTRICT)
        for industry in industries:
            _target(year, PER_INDUSTRY, industry=industry)
        for team in teams:
            _target(year, PER_TEAM, team=team)
        # 目标任务分解落实到各单位 and to each 分包领导.
        for unit in units:
            _target(year, PER_UNIT, unit=unit)
        for leader in LEADERS:
            _target(year, PER_LEADER, leader=leader)
