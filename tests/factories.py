"""Factories for test data. Leads are made through the services, like real ones."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from chambers.models import Chamber, ChamberKind, Entrepreneur
from leads.choices import Channel, OriginType, Source, Stage
from leads.models import Industry, StageOwner, TaskTeam
from leads.services import lead_create
from leads.validators import credit_code_check_char

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
            self.save()


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试产业{n}")


class TaskTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTeam
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试小分队{n}")


class ChamberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chamber

    name = factory.Sequence(lambda n: f"测试商会{n}")
    kind = ChamberKind.HOMETOWN
    location = "深圳"


class EntrepreneurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrepreneur

    name = factory.Sequence(lambda n: f"企业家{n}")
    company = factory.Sequence(lambda n: f"深圳测试科技有限公司{n}")
    current_city = "深圳"


def credit_code(body: str = "91350100M000100Y4") -> str:
    """Return `body` (17 characters) completed with its GB 32100-2015 check character."""
    return body + credit_code_check_char(body)


def make_lead(*, stage=Stage.CONTACT, actor=None, channel=Channel.SYSTEM, at=None, **fields):
    """Create a lead through `lead_create`, filling what the stage needs."""
    defaults = {
        "name": "测试项目",
        "investor": "深圳测试集团有限公司",
        "origin": "深圳",
        "origin_type": OriginType.OTHER_PROVINCE,
        "source": Source.INDUSTRY_CHAIN,
    }
    if "industry" not in fields:
        fields["industry"] = Industry.objects.order_by("id").first() or IndustryFactory()
    order = [Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED]
    reached = order.index(stage) if stage in order else 0
    if reached >= order.index(Stage.INTENT):
        defaults["planned_investment"] = Decimal("1000.00")
    if reached >= order.index(Stage.SIGNED):
        defaults["contract_amount"] = Decimal("800.50")
    if reached >= order.index(Stage.LANDED):
        # Skipping 签约 still needs its date: the monthly report counts by it.
        defaults["signed_on"] = timezone.localdate()
        defaults["registered_name"] = "测试（本区）有限公司"
        defaults["credit_code"] = credit_code()
    return lead_create(actor=actor, channel=channel, stage=stage, at=at, **{**defaults, **fields})


def ensure_stage_owners() -> dict[str, TaskTeam]:
    """Give every pipeline stage an owner team; return them by stage."""
    owners = {}
    for index, stage in enumerate(
        [Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED]
    ):
        owner = StageOwner.objects.filter(stage=stage).select_related("team").first()
        if owner is None:
            team = TaskTeamFactory(name=f"{stage.label}组")
            owner = StageOwner.objects.create(stage=stage, team=team, sla_days=30 * (index + 1))
        owners[stage.value] = owner.team
    return owners
