"""Enumerations of the pipeline: stages, sources, capital origins, channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    CONTACT = "contact", _("接洽")
    VISIT = "visit", _("考察")
    INTENT = "intent", _("意向")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    DROPPED = "dropped", _("终止")


# The forward order of the pipeline; `dropped` stands outside it.
PIPELINE = (Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED)
PIPELINE_STAGE_CHOICES = [(stage.value, stage.label) for stage in PIPELINE]


def stage_index(stage: str) -> int:
    """Return the position of a pipeline stage, 0 for 接洽."""
    return PIPELINE.index(Stage(stage))


class Milestone(models.TextChoices):
    """The nodes after 落地 (早开工、早见效); not pipeline stages."""

    STARTED = "started", _("开工")
    IN_PRODUCTION = "in_production", _("投产")


class Node(models.TextChoices):
    """The nodes of a key project's yearly plan (重点项目节点计划)."""

    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    STARTED = "started", _("开工")
    IN_PRODUCTION = "in_production", _("投产")


class PaidInKind(models.TextChoices):
    REGISTERED_CAPITAL = "registered_capital", _("注册资本实缴")
    FIXED_ASSETS = "fixed_assets", _("固定资产投资")
    OTHER = "other", _("其他")


class Source(models.TextChoices):
    INDUSTRY_CHAIN = "industry_chain", _("产业链招商")
    CHAMBER = "chamber", _("商会推介")
    RETURNEE = "returnee", _("回乡创业")
    LEADER_FIRM = "leader_firm", _("500强及龙头企业")
    EVENT = "event", _("节会招商")
    REFERRAL = "referral", _("上级推介")
    TALENT = "talent", _("招才引智")
    OWN = "own", _("自主对接")


class OriginType(models.TextChoices):
    IN_PROVINCE = "in_province", _("省内")
    OTHER_PROVINCE = "other_province", _("省外境内")
    FOREIGN = "foreign", _("境外")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    ADMIN = "admin", _("管理后台")
    IMPORT = "import", _("Excel导入")
    API = "api", _("接口")
    SYSTEM = "system", _("系统")


class ActivityKind(models.TextChoices):
    CALL = "call", _("电话")
    INBOUND_VISIT = "inbound_visit", _("来访")
    OUTBOUND_VISIT = "outbound_visit", _("外出拜访")
    SITE_VISIT = "site_visit", _("考察接待")
    NEGOTIATION = "negotiation", _("洽谈")
    SIGNING_CEREMONY = "signing_ceremony", _("签约仪式")
    EVENT = "event", _("节会活动")
    OTHER = "other", _("其他")


# A drop reason containing this phrase means the project went to a competing
# locality; the lead must then say which one (DESIGN: 终止 reason "落户他地").
LOST_TO_OTHER_PLACE = "落户他地"
