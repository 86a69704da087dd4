"""Demo leads with real history: created, moved and followed up through the services."""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from leads.choices import PIPELINE, ActivityKind, Channel, Source, Stage
from leads.demo.names import (
    CITIES,
    COMPANY_KINDS,
    COMPANY_WORDS,
    DROP_REASONS,
    FINAL_STAGES,
    LEADERS,
    PROJECT_KINDS,
)
from leads.demo.people import demo_person
from leads.models import Activity, Industry, Lead, StageOwner, TaskTeam, Unit
from leads.services import lead_change_stage, lead_create, lead_update
from leads.validators import CREDIT_CODE_ALPHABET, credit_code_check_char


class DemoLeads:
    """Create demo leads, drawing every choice from one random generator.

    The draws happen in a fixed order, so the same seed on the same day gives
    the same leads.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        users: dict,
        chambers: list,
        entrepreneurs: list,
        units: list[Unit],
    ):
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.director = users["demo"]
        self.chambers = chambers
        self.entrepreneurs = entrepreneurs
        self.units = units
        self.industries = list(Industry.objects.all())
        self.teams_by_stage = dict(StageOwner.objects.values_list("stage", "team_id"))
        teams = TaskTeam.objects.prefetch_related("members")
        self.members_by_team = {team.pk: list(team.members.all()) for team in teams}
        self.sla = dict(StageOwner.objects.values_list("stage", "sla_days"))
        # Every task team captures leads (首谈), not only the owner of 接洽;
        # a lead another team captured is entered by 局领导 naming that team.
        self.teams_by_id = {team.pk: team for team in TaskTeam.objects.order_by("id")}
        self.capture_teams = list(self.teams_by_id)
        self.last_moment = None

    def create(self, count: int) -> int:
        """Create `count` leads (at least 200) with their history; return how many."""
        created = 0
        for index in range(max(count, 200)):
            final, forced_end = self._final(index)
            path, days = self._plan(final, forced_end)
            lead = self._create(index, days[0])
            lead = self._walk(lead, path, days)
            self._activities(lead, days)
            if lead.stage not in (Stage.LANDED, Stage.DROPPED):
                follow_up = self.today + timedelta(days=self.rng.randrange(-10, 30))
                lead = lead_update(
                    lead=lead, next_follow_up=max(follow_up, days[0]), note="安排下次跟进"
                )
            created += 1
        return created

    def _final(self, index: int) -> tuple[str, date | None]:
        """Return the stage lead `index` ends in, and the day of its last move if fixed."""
        if index < 6:
            final = Stage.SIGNED
        elif index < 10:
            final = Stage.LANDED
        else:
            final = self.rng.choice(FINAL_STAGES)
        if index < 10:
            # The first ten are this month's signings and landings.
            this_month_start = self.today.replace(day=1)
            return final, this_month_start + timedelta(
                days=self.rng.randrange((self.today - this_month_start).days + 1)
            )
        if final in (Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED):
            # Open leads mostly moved recently: most within their stage's time
            # limit, some near it (amber), some over it (red).
            return final, self.today - timedelta(
                days=self.rng.randrange(int(self.sla[final] * 1.4) + 1)
            )
        return final, None

    def _plan(self, final, forced_end=None):
        """Return (stages to pass, list of days): creation day first, one day per move."""
        if final == Stage.DROPPED:
            dropped_from = self.rng.choice(PIPELINE[:4])
            path = [*PIPELINE[1 : PIPELINE.index(dropped_from) + 1], Stage.DROPPED]
        else:
            path = list(PIPELINE[1 : PIPELINE.index(final) + 1])
        gaps = [self.rng.randrange(5, 75) for _ in path]
        span = sum(gaps)
        if forced_end is not None:
            start = forced_end - timedelta(days=span)
        else:
            start = self.today - timedelta(days=self.rng.randrange(span, max(span + 1, 720)))
        days, day = [start], start
        for gap in gaps:
            day = min(day + timedelta(days=gap), self.today)
            days.append(day)
        return path, days

    def _create(self, index: int, day: date) -> Lead:
        """Create lead `index` on `day`, captured by the owner of 接洽 or another team."""
        city, origin_type = self.rng.choice(CITIES)
        word, kind = self.rng.choice(COMPANY_WORDS), self.rng.choice(COMPANY_KINDS)
        industry = self.rng.choice(self.industries)
        source = self.rng.choice(list(Source))
        owner_team = self.teams_by_stage[Stage.CONTACT]
        # The first ten (this month's signings) go round the teams.
        capture = self.capture_teams[index % len(self.capture_teams)] if index < 10 else None
        if capture is None and self.rng.random() < 0.5:
            capture = self.rng.choice(self.capture_teams)
        if capture == owner_team:
            capture = None
        self.last_moment = timezone.make_aware(datetime.combine(day, time(0, 0)))
        return lead_create(
            actor=self.director if capture else self.rng.choice(self.members_by_team[owner_team]),
            team=self.teams_by_id.get(capture),
            credit_unit=self.rng.choice(self.units) if self.rng.random() < 0.8 else None,
            channel=Channel.WEB,
            at=self._moment(day),
            name=f"{word}{self.rng.choice(PROJECT_KINDS)}项目{index + 1}",
            investor=f"{city}{word}{kind}集团有限公司",
            origin=city,
            origin_type=origin_type,
            industry=industry,
            source=source,
            chamber=self.rng.choice(self.chambers) if source == Source.CHAMBER else None,
            entrepreneur=(
                self.rng.choice(self.entrepreneurs) if source == Source.RETURNEE else None
            ),
            leader=self.rng.choice(LEADERS),
            planned_investment=self._amount(300, 300000),
            notes="演示数据",
        )

    def _walk(self, lead: Lead, path: list, days: list[date]) -> Lead:
        """Move the lead along `path`, one move per day; a few step back once on the way."""
        for stage, day in zip(path, days[1:], strict=True):
            lead = self._move(lead, stage, day)
            if lead.stage == Stage.INTENT and self.rng.random() < 0.05 and stage != path[-1]:
                lead = lead_change_stage(
                    lead=lead,
                    to_stage=Stage.VISIT,
                    channel=Channel.WEB,
                    actor=self.rng.choice(self.members_by_team[lead.team_id]),
                    at=self._moment(day),
                    note="投资方要求再次实地考察",
                )
                lead = self._move(lead, Stage.INTENT, day)
        return lead

    def _move(self, lead, stage, day):
        data = {}
        if stage == Stage.SIGNED:
            data["contract_amount"] = (
                lead.planned_investment * Decimal(self.rng.randrange(60, 120)) / 100
            ).quantize(Decimal("0.01"))
        elif stage == Stage.LANDED:
            data["registered_name"] = lead.investor.replace("集团有限公司", "（本区）有限公司")
            data["credit_code"] = self._credit_code()
        elif stage == Stage.DROPPED:
            data["drop_reason"] = self.rng.choice(DROP_REASONS)
            if data["drop_reason"] == "落户他地":
                data["lost_to"] = self.rng.choice(["邻区", "省会高新区", "长三角某开发区"])
        team = self.teams_by_stage.get(stage, lead.team_id)
        return (
            lead_change_stage(
                lead=lead,
                to_stage=stage,
                actor=self.rng.choice(self.members_by_team[lead.team_id]),
                channel=Channel.WEB,
                at=self._moment(day),
                note="" if stage != Stage.DROPPED else data["drop_reason"],
                **data,
            )
            if team
            else lead
        )

    def _activities(self, lead, days):
        kinds = list(ActivityKind)
        for _ in range(self.rng.randrange(1, 5)):
            day = days[0] + timedelta(days=self.rng.randrange((days[-1] - days[0]).days + 1))
            Activity.objects.create(
                lead=lead,
                occurred_on=day,
                kind=self.rng.choice(kinds),
                participants=f"{demo_person(self.rng)}、{demo_person(self.rng)}",
                summary=f"与{lead.investor}就{lead.name}进行对接，了解用地、用工和政策需求。",
                next_step="整理企业需求清单，协调相关部门答复。",
                created_by=self.rng.choice(self.members_by_team[lead.team_id]),
            )

    def _amount(self, low, high):
        """Return an amount in 万元 between low and high, small projects more often."""
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        return Decimal(f"{value:.2f}")

    def _credit_code(self):
        body = (
            "91"
            + f"{self.rng.randrange(110000, 659999):06d}"
            + "".join(self.rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
        )
        return body + credit_code_check_char(body)

    def _moment(self, day):
        """Return a working-hours moment on `day`, never before the lead's previous event."""
        moment = datetime.combine(day, time(9, 0)) + timedelta(minutes=self.rng.randrange(540))
        moment = max(timezone.make_aware(moment), self.last_moment + timedelta(minutes=1))
        self.last_moment = min(moment, self.now)
        return self.last_moment
