"""Enumerations of the enterprise-problem ledger: statuses, channels, categories, feedback."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已销号")
    ON_RECORD = "on_record", _("记录在案")
    ESCALATED = "escalated", _("已上报")


# States whose deadline still runs: the enterprise has not yet been told the
# outcome. 记录在案 is parked with an explanation given (it has a review date
# instead) and 已销号 is finished.
DEADLINE_STATES = (Status.OPEN, Status.IN_PROGRESS, Status.RESOLVED, Status.ESCALATED)
# Everything not yet closed out (销号).
OPEN_STATES = (*DEADLINE_STATES, Status.ON_RECORD)

# The allowed moves: 待办 → 办理中 → 已办结 → 已销号, 办理中 → 记录在案 / 已上报,
# and back to 办理中 when conditions change (记录在案), the upper level answers
# (已上报) or the enterprise is not satisfied (已办结, through a close-out).
MOVES = {
    Status.OPEN: (Status.IN_PROGRESS,),
    Status.IN_PROGRESS: (Status.RESOLVED, Status.ON_RECORD, Status.ESCALATED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.ON_RECORD: (Status.IN_PROGRESS,),
    Status.ESCALATED: (Status.IN_PROGRESS, Status.RESOLVED),
    Status.CLOSED: (),
}


class ProblemChannel(models.TextChoices):
    VISIT = "visit", _("走访")
    PHONE = "phone", _("电话")
    FORUM = "forum", _("座谈会")
    PROJECT_MEETING = "project_meeting", _("项目例会")
    HOTLINE = "hotline", _("12345 转办")
    OTHER = "other", _("其他")


class Category(models.TextChoices):
    LAND = "land", _("用地")
    PLANNING = "planning", _("规划审批")
    PROCEDURES = "procedures", _("手续办理")
    FINANCING = "financing", _("融资")
    LABOUR = "labour", _("用工")
    UTILITIES = "utilities", _("水电气暖")
    POLICY = "policy", _("政策兑现")
    OTHER = "other", _("其他")


# Days allowed to solve a problem of each category when no CategoryDeadline row
# says otherwise (the data migration copies these into the table).
DEFAULT_DEADLINE_DAYS = {
    Category.LAND: 60,
    Category.PLANNING: 30,
    Category.PROCEDURES: 15,
    Category.FINANCING: 30,
    Category.LABOUR: 20,
    Category.UTILITIES: 10,
    Category.POLICY: 30,
    Category.OTHER: 15,
}


class FeedbackWay(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    WRITTEN = "written", _("书面")
    MESSAGE = "message", _("短信/微信")
    MEETING = "meeting", _("座谈会")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


SATISFIED_RATINGS = (Rating.SATISFIED, Rating.FAIRLY)
