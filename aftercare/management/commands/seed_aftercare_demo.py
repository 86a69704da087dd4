"""Give the demo's enterprises a realistic problem ledger over the past year.

Run after `seed_demo`: the landed projects' enterprises (created by their
landing) and a few local firms that never were leads raise problems at
visits, forums and project meetings; most are closed out with the
enterprise's feedback, some are still being worked or overdue, some are
recorded with a policy explanation, some escalated. Problems go to task
teams, to the units seed_demo creates (街道/部门) and to outside departments.
"""

import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from aftercare.choices import Category, ProblemChannel
from aftercare.models import Enterprise, Problem
from aftercare.services import enterprises_link_landed, problem_change_status, problem_create
from leads.choices import Stage
from leads.models import Lead, TaskTeam, Unit

DESCRIPTIONS = {
    Category.LAND: [
        "二期扩建用地指标尚未落实",
        "厂区周边地块征迁进度慢，影响扩建",
        "土地证办理需协调",
    ],
    Category.PLANNING: ["厂房加层规划审批时间长", "规划条件调整需区里协调", "消防审验排队时间长"],
    Category.PROCEDURES: ["环评批复办理进度慢", "施工许可材料反复补正", "外资企业变更登记需指导"],
    Category.FINANCING: [
        "流动资金贷款难，希望对接银行",
        "申请担保贷款需协调",
        "设备融资租赁贴息咨询",
    ],
    Category.LABOUR: ["技术工人招聘难", "员工子女入学需协调", "高端人才落户及住房补贴咨询"],
    Category.UTILITIES: ["用电增容申请迟迟未批", "天然气管道未接入厂区", "供水压力不足影响生产"],
    Category.POLICY: ["招商引资奖励资金未兑现", "技改补贴申报材料需指导", "税收减免政策落实咨询"],
    Category.OTHER: ["厂区门前道路破损需修复", "周边公交线路不便员工通勤", "厂区周边治安需加强"],
}
OUTSIDE_UNITS = ["市自然资源和规划局", "国网供电公司", "市人社局", "市住建局", "区税务局"]
LEADERS = ["张副区长", "李副区长", "王区长", "刘副区长", "陈常务副区长"]
LOCAL_FIRMS = [
    ("洛阳北方玻璃技术股份有限公司", True),
    ("中信重工机械股份有限公司（本区分公司）", True),
    ("本区华阳物流有限公司", False),
]
# How a problem's story ends, with weights: most are closed out with feedback.
ENDINGS = [
    ("closed", 48),
    ("unhappy_closed", 6),
    ("resolved", 7),
    ("in_progress", 16),
    ("open", 7),
    ("on_record", 8),
    ("escalated", 8),
]


class Command(BaseCommand):
    help = "Create a year of enterprise problems for the demo's enterprises (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        if Problem.objects.exists():
            self.stdout.write("数据库中已有企业诉求，跳过。")
            return
        landed = list(Lead.objects.filter(stage=Stage.LANDED))
        teams = list(TaskTeam.objects.prefetch_related("members").select_related("leader"))
        if not landed or not teams:
            self.stdout.write("没有已落地项目或小分队，请先执行 seed_demo。")
            return
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        with transaction.atomic():
            enterprises_link_landed(leads=landed)
            enterprises = self._enterprises()
            self.units = list(Unit.objects.filter(active=True).order_by("pk"))
            count = sum(self._problems(enterprise, teams) for enterprise in enterprises)
        self.stdout.write(
            self.style.SUCCESS(f"已为 {len(enterprises)} 家企业创建 {count} 条诉求。")
        )

    def _enterprises(self) -> list[Enterprise]:
        for name, above_scale in LOCAL_FIRMS:
            Enterprise.objects.get_or_create(
                name=name, defaults={"above_scale": above_scale, "key_enterprise": above_scale}
            )
        enterprises = list(Enterprise.objects.select_related("lead").order_by("pk"))
        for enterprise in enterprises:
            lead = enterprise.lead
            enterprise.district_leader = (lead.leader if lead else "") or self.rng.choice(LEADERS)
            enterprise.contact_person = self.rng.choice(["赵", "钱", "孙", "周", "吴"]) + "经理"
            enterprise.phone = f"1{self.rng.randint(3, 9)}{self.rng.randint(0, 10**9 - 1):09d}"
            if lead and (lead.contract_amount or 0) >= 10000:
                enterprise.key_enterprise = True
            enterprise.save()
        return enterprises

    def _moment(self, day):
        return timezone.make_aware(datetime.combine(day, time(self.rng.randint(9, 17), 0)))

    def _problems(self, enterprise, teams) -> int:
        count = self.rng.choice([0, 1, 1, 2, 2, 3, 4])
        for _ in range(count):
            raised = self.today - timedelta(days=self.rng.randint(0, 364))
            category = self.rng.choice(list(Category))
            team = self.rng.choice(teams)
            owner = self.rng.random()
            # About one in five goes to an outside department, one in five to a
            # unit of seed_demo (街道/部门, when there are any), the rest to a team.
            outside = owner < 0.2
            unit = self.rng.choice(self.units) if self.units and owner >= 0.8 else None
            members = list(team.members.all())
            problem = problem_create(
                enterprise=enterprise,
                raised_on=raised,
                raised_via=self.rng.choice(list(ProblemChannel)),
                category=category,
                description=self.rng.choice(DESCRIPTIONS[category]),
                responsible_team=None if outside or unit else team,
                responsible_unit=unit,
                responsible_unit_name=self.rng.choice(OUTSIDE_UNITS) if outside else "",
                handler=self.rng.choice(members) if members else None,
                at=self._moment(raised),
                channel="system",
            )
            self._story(problem, raised, actor=team.leader)
        return count

    def _story(self, problem, day, *, actor) -> None:
        """Move the problem along one ending, stopping at today."""
        ending = self.rng.choices([e for e, _w in ENDINGS], [w for _e, w in ENDINGS])[0]
        if (self.today - day).days > 90 and self.rng.random() < 0.5:
            # Old problems have mostly been settled by now.
            ending = "closed"
        steps = {
            "open": [],
            "in_progress": ["in_progress"],
            "resolved": ["in_progress", "resolved"],
            "closed": ["in_progress", "resolved", "closed"],
            "unhappy_closed": ["in_progress", "resolved", "unhappy", "resolved", "closed"],
            "on_record": ["in_progress", "on_record"],
            "escalated": ["in_progress", "escalated"],
        }[ending]
        for step in steps:
            # Most moves follow within a week; a few take much longer (and run late).
            day += timedelta(days=self.rng.choice([1, 2, 3, 5, 7, 10, 30]))
            if day > self.today:
                return
            data = self._data(step, day)
            problem = problem_change_status(
                problem=problem,
                to_status="closed" if step == "unhappy" else step,
                actor=actor,
                at=self._moment(day),
                channel="system",
                **data,
            )

    def _data(self, step, day) -> dict:
        if step == "resolved":
            return {"resolution": "经协调相关部门已办理完毕", "resolved_on": day}
        if step in ("closed", "unhappy"):
            rating = (
                "unsatisfied"
                if step == "unhappy"
                else self.rng.choice(["satisfied", "satisfied", "fairly"])
            )
            return {
                "feedback_on": day,
                "feedback_way": self.rng.choice(["phone", "visit"]),
                "rating": rating,
            }
        if step == "on_record":
            return {
                "explanation": "暂不具备条件，已向企业解释相关政策，条件具备时立即办理",
                "review_on": day + timedelta(days=self.rng.randint(60, 180)),
            }
        if step == "escalated":
            return {"escalated_to": self.rng.choice(["市发展改革委", "市政府", "省商务厅"])}
        return {}
