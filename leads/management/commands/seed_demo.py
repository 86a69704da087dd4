"""Create demo data: users, chambers, entrepreneurs, leads with real history, targets."""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from leads.choices import PIPELINE, ActivityKind, Channel, OriginType, Source, Stage
from leads.models import Activity, AnnualTarget, Industry, Lead, StageOwner, TaskTeam, Unit
from leads.services import lead_change_stage, lead_create, lead_update
from leads.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

# Chambers and entrepreneurs are reached through the lead's foreign keys (and
# their kinds by value): leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model
Entrepreneur = Lead.entrepreneur.field.related_model

DEMO_PASSWORD = "zhaoshang2026"

CITIES = [
    ("深圳", OriginType.OTHER_PROVINCE),
    ("上海", OriginType.OTHER_PROVINCE),
    ("北京", OriginType.OTHER_PROVINCE),
    ("杭州", OriginType.OTHER_PROVINCE),
    ("苏州", OriginType.OTHER_PROVINCE),
    ("广州", OriginType.OTHER_PROVINCE),
    ("成都", OriginType.OTHER_PROVINCE),
    ("武汉", OriginType.OTHER_PROVINCE),
    ("福州", OriginType.IN_PROVINCE),
    ("厦门", OriginType.IN_PROVINCE),
    ("泉州", OriginType.IN_PROVINCE),
    ("漳州", OriginType.IN_PROVINCE),
    ("香港", OriginType.FOREIGN),
    ("台北", OriginType.FOREIGN),
    ("新加坡", OriginType.FOREIGN),
    ("东京", OriginType.FOREIGN),
    ("法兰克福", OriginType.FOREIGN),
]
COMPANY_WORDS = [
    "华鑫",
    "中科",
    "海创",
    "远航",
    "恒信",
    "博远",
    "星辰",
    "嘉禾",
    "瑞丰",
    "天工",
    "云智",
    "锦程",
    "鼎盛",
    "润泽",
    "启明",
    "盛达",
    "新锐",
    "长风",
    "通达",
    "凯越",
]
COMPANY_KINDS = [
    "科技",
    "智能装备",
    "新材料",
    "物流",
    "文化传媒",
    "环保科技",
    "电子商务",
    "医疗健康",
    "商业管理",
    "信息服务",
]
PROJECT_KINDS = [
    "生产基地",
    "研发中心",
    "区域总部",
    "产业园",
    "智慧仓储中心",
    "数字化工厂",
    "创新中心",
    "结算中心",
    "孵化器",
    "旗舰店",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "建国",
    "志强",
    "海波",
    "丽华",
    "晓东",
    "文斌",
    "春梅",
    "国庆",
    "明辉",
    "秀英",
    "伟",
    "静",
    "磊",
    "洋",
    "军",
    "敏",
    "勇",
    "艳",
    "杰",
    "娟",
]
DROP_REASONS = [
    "投资方战略调整，暂缓投资",
    "用地条件不满足企业要求",
    "落户他地",
    "资金链紧张，项目搁置",
    "长期无实质进展",
]
# Units credited with bringing leads (引进单位); about one lead in five names none.
UNITS = [
    ("城关街道", Unit.Kind.TOWN),
    ("城西街道", Unit.Kind.TOWN),
    ("临江镇", Unit.Kind.TOWN),
    ("区发展和改革局", Unit.Kind.DEPARTMENT),
    ("区工业和信息化局", Unit.Kind.DEPARTMENT),
    ("区商务局", Unit.Kind.INDUSTRY_LEAD),
]
LEADERS = ["区长 王海", "常务副区长 李明", "副区长 张华", "副区长 陈静", "区委常委 刘洋"]
FINAL_STAGES = (
    [Stage.CONTACT] * 15
    + [Stage.VISIT] * 14
    + [Stage.INTENT] * 14
    + [Stage.SIGNED] * 20
    + [Stage.LANDED] * 25
    + [Stage.DROPPED] * 12
)


class Command(BaseCommand):
    help = "创建演示数据：用户、商会、企业家、200 多条带真实阶段历史的线索和年度目标。"

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=240, help="线索条数（至少 200）")
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子")

    def handle(self, *args, leads, seed, **options):
        if not Industry.objects.exists() or StageOwner.objects.count() < len(PIPELINE):
            raise CommandError("请先执行 python manage.py loaddata reference 载入基础数据。")
        if Lead.objects.exists():
            self.stdout.write("数据库中已有线索，跳过演示数据。")
            self._print_login()
            return
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        with transaction.atomic():
            users = self._users()
            chambers = self._chambers(users)
            entrepreneurs = self._entrepreneurs(chambers)
            self.units = [
                Unit.objects.get_or_create(name=name, defaults={"kind": kind})[0]
                for name, kind in UNITS
            ]
            self._targets()
            count = self._leads(leads, users, chambers, entrepreneurs)
        self.stdout.write(self.style.SUCCESS(f"已创建 {count} 条演示线索。"))
        self._print_login()

    def _print_login(self):
        self.stdout.write(
            f"演示账号：demo（局领导），zuzhang1…zuzhang5（小分队组长），duiyuan1…duiyuan10（队员），"
            f"chakan（只读）；密码均为 {DEMO_PASSWORD}"
        )

    # --- people and organisations ------------------------------------------

    def _user(self, username, full_name, group, *, staff=False):
        user = User(
            username=username, first_name=full_name[1:], last_name=full_name[0], is_staff=staff
        )
        # Hash the shared demo password once: each hash costs half a second.
        if not hasattr(self, "password_hash"):
            user.set_password(DEMO_PASSWORD)
            self.password_hash = user.password
        user.password = self.password_hash
        user.save()
        user.groups.add(Group.objects.get(name=group))
        return user

    def _person(self):
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def _users(self):
        users = {"demo": self._user("demo", "演示局长", "局领导", staff=True)}
        users["chakan"] = self._user("chakan", "查看员", "只读")
        teams = list(TaskTeam.objects.order_by("id"))
        members = []
        for index, team in enumerate(teams, start=1):
            leader = self._user(f"zuzhang{index}", self._person(), "小分队组长")
            team.leader = leader
            team.save(update_fields=["leader"])
            team.members.add(leader)
            for offset in (0, 1):
                number = (index - 1) * 2 + offset + 1
                member = self._user(f"duiyuan{number}", self._person(), "小分队队员")
                team.members.add(member)
                members.append(member)
        users["members"] = members
        return users

    def _chambers(self, users):
        specs = [
            ("深圳市本市商会", "hometown", "深圳"),
            ("上海市本市商会", "hometown", "上海"),
            ("北京本市企业商会", "hometown", "北京"),
            ("杭州本市商会", "hometown", "杭州"),
            ("区浙江商会", "local", "本区"),
            ("区广东商会", "local", "本区"),
            ("区福建商会", "local", "本区"),
            ("区智能制造行业协会", "trade", "本区"),
            ("区电子商务协会", "trade", "本区"),
            ("区台商投资企业协会", "foreign", "本区"),
        ]
        return [
            Chamber.objects.create(
                name=name,
                kind=kind,
                location=location,
                contact_person=self._person(),
                phone=f"138{self.rng.randrange(10**8):08d}",
                liaison=users["demo"],
            )
            for name, kind, location in specs
        ]

    def _entrepreneurs(self, chambers):
        hometown_chambers = [c for c in chambers if c.kind == "hometown"]
        result = []
        for index in range(30):
            chamber = self.rng.choice(hometown_chambers)
            result.append(
                Entrepreneur.objects.create(
                    name=self._person() + ("" if index < 20 else str(index)),
                    hometown="本区" + self.rng.choice(["城关镇", "东关街道", "西湖乡", "南山镇"]),
                    current_city=chamber.location,
                    company=f"{chamber.location}{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_KINDS)}有限公司{index}",
                    chamber=chamber,
                    phone=f"139{self.rng.randrange(10**8):08d}",
                )
            )
        return result

    def _targets(self):
        industries = list(Industry.objects.all())
        teams = list(TaskTeam.objects.all())
        for year in (self.today.year - 1, self.today.year):
            AnnualTarget.objects.create(
                year=year,
                signed_count=80,
                signed_amount=Decimal("3000000"),
                landed_count=55,
                landed_amount=Decimal("2000000"),
            )
            for industry in industries:
                AnnualTarget.objects.create(
                    year=year,
                    industry=industry,
                    signed_count=8,
                    signed_amount=Decimal("300000"),
                    landed_count=6,
                    landed_amount=Decimal("200000"),
                )
            for team in teams:
                AnnualTarget.objects.create(
                    year=year,
                    team=team,
                    signed_count=16,
                    signed_amount=Decimal("600000"),
                    landed_count=11,
                    landed_amount=Decimal("400000"),
                )
            # 目标任务分解落实到各单位 and to each 分包领导.
            for unit in self.units:
                AnnualTarget.objects.create(
                    year=year,
                    unit=unit,
                    signed_count=10,
                    signed_amount=Decimal("400000"),
                    landed_count=7,
                    landed_amount=Decimal("250000"),
                )
            for leader in LEADERS:
                AnnualTarget.objects.create(
                    year=year,
                    leader=leader,
                    signed_count=14,
                    signed_amount=Decimal("500000"),
                    landed_count=10,
                    landed_amount=Decimal("350000"),
                )

    # --- leads ---------------------------------------------------------------

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

    def _leads(self, count, users, chambers, entrepreneurs):
        industries = list(Industry.objects.all())
        teams_by_stage = dict(StageOwner.objects.values_list("stage", "team_id"))
        members_by_team = {}
        for team in TaskTeam.objects.prefetch_related("members"):
            members_by_team[team.pk] = list(team.members.all())
        this_month_start = self.today.replace(day=1)
        sla = dict(StageOwner.objects.values_list("stage", "sla_days"))
        # Every task team captures leads (首谈), not only the owner of 接洽;
        # a lead another team captured is entered by 局领导 naming that team.
        teams_by_id = {team.pk: team for team in TaskTeam.objects.order_by("id")}
        capture_teams = list(teams_by_id)
        director = users["demo"]
        created = 0
        for index in range(max(count, 200)):
            if index < 6:
                final = Stage.SIGNED
            elif index < 10:
                final = Stage.LANDED
            else:
                final = self.rng.choice(FINAL_STAGES)
            forced_end = None
            if index < 10:
                forced_end = this_month_start + timedelta(
                    days=self.rng.randrange((self.today - this_month_start).days + 1)
                )
            elif final in (Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED):
                # Open leads mostly moved recently: most within their stage's time
                # limit, some near it (amber), some over it (red).
                forced_end = self.today - timedelta(
                    days=self.rng.randrange(int(sla[final] * 1.4) + 1)
                )
            path, days = self._plan(final, forced_end)
            city, origin_type = self.rng.choice(CITIES)
            word, kind = self.rng.choice(COMPANY_WORDS), self.rng.choice(COMPANY_KINDS)
            investor = f"{city}{word}{kind}集团有限公司"
            industry = self.rng.choice(industries)
            source = self.rng.choice(list(Source))
            owner_team = teams_by_stage[Stage.CONTACT]
            # The first ten (this month's signings) go round the teams.
            capture = capture_teams[index % len(capture_teams)] if index < 10 else None
            if capture is None and self.rng.random() < 0.5:
                capture = self.rng.choice(capture_teams)
            if capture == owner_team:
                capture = None
            self.last_moment = timezone.make_aware(datetime.combine(days[0], time(0, 0)))
            lead = lead_create(
                actor=director if capture else self.rng.choice(members_by_team[owner_team]),
                team=teams_by_id.get(capture),
                credit_unit=self.rng.choice(self.units) if self.rng.random() < 0.8 else None,
                channel=Channel.WEB,
                at=self._moment(days[0]),
                name=f"{word}{self.rng.choice(PROJECT_KINDS)}项目{index + 1}",
                investor=investor,
                origin=city,
                origin_type=origin_type,
                industry=industry,
                source=source,
                chamber=self.rng.choice(chambers) if source == Source.CHAMBER else None,
                entrepreneur=self.rng.choice(entrepreneurs) if source == Source.RETURNEE else None,
                leader=self.rng.choice(LEADERS),
                planned_investment=self._amount(300, 300000),
                notes="演示数据",
            )
            for stage, day in zip(path, days[1:], strict=True):
                lead = self._move(lead, stage, day, members_by_team, teams_by_stage)
                if lead.stage == Stage.INTENT and self.rng.random() < 0.05 and stage != path[-1]:
                    # A few projects go back a step before moving on again.
                    lead = lead_change_stage(
                        lead=lead,
                        to_stage=Stage.VISIT,
                        channel=Channel.WEB,
                        actor=self.rng.choice(members_by_team[lead.team_id]),
                        at=self._moment(day),
                        note="投资方要求再次实地考察",
                    )
                    lead = self._move(lead, Stage.INTENT, day, members_by_team, teams_by_stage)
            self._activities(lead, days, members_by_team)
            if lead.stage not in (Stage.LANDED, Stage.DROPPED):
                follow_up = self.today + timedelta(days=self.rng.randrange(-10, 30))
                lead = lead_update(
                    lead=lead, next_follow_up=max(follow_up, days[0]), note="安排下次跟进"
                )
            created += 1
        return created

    def _move(self, lead, stage, day, members_by_team, teams_by_stage):
        data = {}
        if stage == Stage.SIGNED:
            data["contract_amount"] = (
                lead.planned_investment * Decimal(self.rng.randrange(60, 120)) / 100
            ).quantize(Decimal("0.01"))
        elif stage == Stage.LANDED:
            data["registered_name"] = lead.investor.replace("集团有限公司", "（本区）有限公司")
            data["credit_code"] = self._credit_code()
            data["paid_in"] = (
                lead.contract_amount * Decimal(self.rng.randrange(10, 80)) / 100
            ).quantize(Decimal("0.01"))
        elif stage == Stage.DROPPED:
            data["drop_reason"] = self.rng.choice(DROP_REASONS)
            if data["drop_reason"] == "落户他地":
                data["lost_to"] = self.rng.choice(["邻区", "省会高新区", "长三角某开发区"])
        team = teams_by_stage.get(stage, lead.team_id)
        return (
            lead_change_stage(
                lead=lead,
                to_stage=stage,
                actor=self.rng.choice(members_by_team[lead.team_id]),
                channel=Channel.WEB,
                at=self._moment(day),
                note="" if stage != Stage.DROPPED else data["drop_reason"],
                **data,
            )
            if team
            else lead
        )

    def _activities(self, lead, days, members_by_team):
        kinds = list(ActivityKind)
        for _ in range(self.rng.randrange(1, 5)):
            day = days[0] + timedelta(days=self.rng.randrange((days[-1] - days[0]).days + 1))
            Activity.objects.create(
                lead=lead,
                occurred_on=day,
                kind=self.rng.choice(kinds),
                participants=f"{self._person()}、{self._person()}",
                summary=f"与{lead.investor}就{lead.name}进行对接，了解用地、用工和政策需求。",
                next_step="整理企业需求清单，协调相关部门答复。",
                created_by=self.rng.choice(members_by_team[lead.team_id]),
            )
