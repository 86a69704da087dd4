"""After 落地: node plans, 开工/投产 dates, paid-in instalments, key projects and 督办 notes.

Each write locks the lead's row and refuses a stale copy, like a stage
move; what it sets on the lead is decided by a plan function here (pure,
no writes), so a bulk writer can apply the same plans. The rules on the
dates themselves (not in the future, 开工 not before 落地, 投产 not before
开工) are the lead's row rules (`leads.models.lead_row_errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import Channel, Milestone, Node, PaidInKind, Stage
from leads.models import Lead, NodePlan, PaidIn, SupervisionNote, lead_row_errors
from leads.services.errors import LeadServiceError
from leads.services.locking import lead_lock_current
from leads.services.plans import EditPlan
from leads.services.rules import proposed

# A project this large (万元) is proposed as a key project (重点项目): 1 亿元.
KEY_PROJECT_AMOUNT = Decimal("10000")
MONEY_PLACES = Decimal("0.01")
MONEY_MAX = Decimal("999999999999.99")


def planned_field(node: str) -> str:
    """Return the lead's field holding the current planned date of `node`."""
    return f"planned_{Node(node).value}_on"


def actual_field(milestone: str) -> str:
    """Return the lead's field holding the actual date of `milestone`."""
    return f"{Milestone(milestone).value}_on"


# The order the planned dates must keep, like the actual ones.
PLANNED_ORDER = tuple(planned_field(node) for node in Node)


def key_proposed(lead) -> bool:
    """Return whether `lead` should be proposed as a key project (≥ 1 亿元) and is not one."""
    amounts = [a for a in (lead.contract_amount, lead.planned_investment) if a is not None]
    return not lead.is_key and any(a >= KEY_PROJECT_AMOUNT for a in amounts)


@dataclass(frozen=True, kw_only=True, slots=True)
class NodePlanChange(EditPlan):
    """A new version of one node's planned date, and the NodePlan row that keeps it."""

    node: str
    planned_on: date | None
    previous_on: date | None
    note: str = ""

    def node_plan_values(self) -> dict:
        """Return the NodePlan row's values, except lead, actor, channel and time."""
        return {
            "node": self.node,
            "planned_on": self.planned_on,
            "previous_on": self.previous_on,
            "reason": self.note,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class PaidInPlan(EditPlan):
    """An instalment and the lead's new 到位资金 total."""

    instalment: dict = field(default_factory=dict)


def _label(name: str) -> str:
    return str(Lead._meta.get_field(name).verbose_name)


def _planned_order_errors(lead, name: str, value) -> dict[str, str]:
    """Return an error when `value` for planned field `name` breaks the nodes' order."""
    if value is None:
        return {}
    index = PLANNED_ORDER.index(name)
    for earlier in PLANNED_ORDER[:index]:
        other = getattr(lead, earlier)
        if other is not None and value < other:
            return {
                "on": _("%(label)s（%(value)s）不能早于%(other)s（%(other_value)s）。")
                % {
                    "label": _label(name),
                    "value": value.isoformat(),
                    "other": _label(earlier),
                    "other_value": other.isoformat(),
                }
            }
    for later in PLANNED_ORDER[index + 1 :]:
        other = getattr(lead, later)
        if other is not None and value > other:
            return {
                "on": _("%(label)s（%(value)s）不能晚于%(other)s（%(other_value)s）。")
                % {
                    "label": _label(name),
                    "value": value.isoformat(),
                    "other": _label(later),
                    "other_value": other.isoformat(),
                }
            }
    return {}


def plan_node(lead, *, node: str, on: date | None, reason: str = "") -> NodePlanChange:
    """Return the plan of setting `lead`'s planned date for `node` to `on`.

    The first plan of a node needs no reason; each later change does, and
    keeps the date it replaces. A plan that changes nothing has no changes.
    """
    try:
        node = Node(node).value
    except ValueError:
        node = None
    if node is None:
        return NodePlanChange(
            changes=MappingProxyType({}),
            reason="",
            errors=MappingProxyType({"node": _("未知的节点。")}),
            node="",
            planned_on=on,
            previous_on=None,
        )
    name = planned_field(node)
    previous = getattr(lead, name)
    reason = (reason or "").strip()
    errors = {}
    if previous == on:
        changes = {}
    else:
        changes = {name: on, "version": lead.version + 1}
        if previous is not None and not reason:
            errors["reason"] = _("调整%(label)s须说明原因。") % {"label": _label(name)}
        errors.update(_planned_order_errors(lead, name, on))
    if len(reason) > 500:
        errors["reason"] = _("调整原因不能超过 500 字。")
    label = Node(node).label
    history = (
        _("调整%(node)s计划：%(old)s → %(new)s") if previous else _("制定%(node)s计划：%(new)s")
    ) % {"node": label, "old": previous or "", "new": on or _("（空）")}
    if reason:
        history = f"{history}（{reason}）"
    return NodePlanChange(
        changes=MappingProxyType(changes),
        reason=history,
        errors=MappingProxyType(errors),
        node=node,
        planned_on=on,
        previous_on=previous,
        note=reason,
    )


def plan_milestone_record(
    lead, *, milestone: str, on: date, may_correct: bool, today: date | None = None
) -> EditPlan:
    """Return the plan of recording `lead`'s actual date of `milestone` as `on`.

    The date follows the lead's row rules (not in the future, 开工 not before
    落地, 投产 not before 开工, only once landed); 投产 needs 开工 first. A
    recorded date is changed only by someone who may correct (局领导).
    """
    try:
        milestone = Milestone(milestone)
    except ValueError:
        return EditPlan(changes={}, reason="", errors={"milestone": _("未知的节点。")})
    name = actual_field(milestone)
    previous = getattr(lead, name)
    errors = {}
    if on is None:
        errors[name] = _("请填写%(label)s。") % {"label": _label(name)}
    elif lead.stage != Stage.LANDED:
        errors[name] = _("项目落地后才能登记%(label)s。") % {"label": _label(name)}
    elif milestone == Milestone.IN_PRODUCTION and lead.started_on is None:
        errors[name] = _("请先登记开工日期，再登记投产日期。")
    elif previous is not None and previous != on and not may_correct:
        errors[name] = _("%(label)s已登记为 %(value)s，只有局领导可以更正。") % {
            "label": _label(name),
            "value": previous.isoformat(),
        }
    if errors or previous == on:
        return EditPlan(changes={}, reason="", errors=errors)
    view = proposed(lead, {name: on})
    errors = {
        key: message
        for key, message in lead_row_errors(view, today).items()
        if key in (name, "started_on", "in_production_on")
    }
    template = _("更正%(label)s：%(old)s → %(new)s") if previous else _("登记%(label)s：%(new)s")
    reason = template % {"label": milestone.label, "old": previous or "", "new": on.isoformat()}
    return EditPlan(changes={name: on, "version": lead.version + 1}, reason=reason, errors=errors)


def _amount_errors(amount) -> tuple[Decimal | None, dict[str, str]]:
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None, {"amount": _("金额必须是数字（万元）。")}
    if not value.is_finite():
        return None, {"amount": _("金额必须是数字（万元）。")}
    if value <= 0:
        return None, {"amount": _("金额必须大于 0（万元）。")}
    if value != value.quantize(MONEY_PLACES):
        return None, {"amount": _("金额最多保留两位小数（万元）。")}
    if value > MONEY_MAX:
        return None, {"amount": _("金额过大。")}
    return value, {}


def plan_paid_in(
    lead, *, on, amount, kind: str, note: str, total: Decimal, today: date | None = None
) -> PaidInPlan:
    """Return the plan of adding an instalment to `lead`, whose instalments sum to `total`.

    Money arrives once the agreement is signed: the lead must be at 签约 or
    落地, the date not in the future nor before the 签约日期.
    """
    today = today or timezone.localdate()
    value, errors = _amount_errors(amount)
    if lead.stage not in (Stage.SIGNED, Stage.LANDED):
        errors["lead"] = _("项目签约后才能登记到位资金。")
    if not isinstance(on, date):
        errors["on"] = _("请填写到位日期。")
    elif on > today:
        errors["on"] = _("到位日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
    elif lead.signed_on is not None and on < lead.signed_on:
        errors["on"] = _("到位日期（%(on)s）不能早于签约日期（%(signed)s）。") % {
            "on": on.isoformat(),
            "signed": lead.signed_on.isoformat(),
        }
    if kind not in PaidInKind.values:
        errors["kind"] = _("请选择到位资金类别。")
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = _("备注不能超过 500 字。")
    if errors:
        return PaidInPlan(changes={}, reason="", errors=errors)
    new_total = total + value
    reason = _("登记到位资金：%(amount)s 万元（%(on)s，%(kind)s）") % {
        "amount": value.quantize(MONEY_PLACES),
        "on": on.isoformat(),
        "kind": PaidInKind(kind).label,
    }
    return PaidInPlan(
        changes={"paid_in": new_total, "version": lead.version + 1},
        reason=reason,
        instalment={"received_on": on, "amount": value, "kind": kind, "note": note},
    )


def _save(locked: Lead, plan: EditPlan, actor) -> None:
    if plan.errors:
        raise LeadServiceError(dict(plan.errors))
    plan.apply(locked)
    locked._history_user = actor
    locked._change_reason = plan.history_reason()
    locked.save(update_fields=plan.update_fields())


def lead_plan_node(
    *, lead: Lead, node: str, on: date | None, reason: str = "", actor, channel=Channel.WEB
) -> Lead:
    """Set `lead`'s planned date for `node` (签约/落地/开工/投产); every version is kept.

    Locks the row and refuses a stale copy; a change of an existing plan
    needs a reason. Writes the lead's field history and one NodePlan row.
    """
    with transaction.atomic():
        locked = lead_lock_current(lead)
        plan = plan_node(locked, node=node, on=on, reason=reason)
        if plan.errors or not plan.changes:
            if plan.errors:
                raise LeadServiceError(dict(plan.errors))
            return locked
        _save(locked, plan, actor)
        NodePlan.objects.create(
            lead=locked, actor=actor, channel=channel, **plan.node_plan_values()
        )
    return locked


def lead_plan_milestone(*, lead: Lead, milestone: str, on: date | None, reason: str, actor) -> Lead:
    """Set the planned date of `milestone` ("started" 开工 / "in_production" 投产)."""
    if milestone not in Milestone.values:
        raise LeadServiceError({"milestone": _("未知的节点。")})
    return lead_plan_node(lead=lead, node=milestone, on=on, reason=reason, actor=actor)


def lead_record_milestone(*, lead: Lead, milestone: str, on: date, actor) -> Lead:
    """Record the actual date of `milestone` ("started" 开工 / "in_production" 投产).

    Locks the row and refuses a stale copy; the date must not be in the
    future nor before 落地日期 (开工) or 开工日期 (投产); changing a recorded
    date is a correction, for 局领导 only. Kept in the field history.
    """
    may_correct = actor is not None and actor.has_perm("leads.correct_stage_lead")
    with transaction.atomic():
        locked = lead_lock_current(lead)
        plan = plan_milestone_record(locked, milestone=milestone, on=on, may_correct=may_correct)
        if plan.errors:
            raise LeadServiceError(dict(plan.errors))
        if plan.changes:
            _save(locked, plan, actor)
    return locked


def lead_add_paid_in(
    *, lead: Lead, on: date, amount, kind: str, actor, note: str = "", channel=Channel.WEB
) -> PaidIn:
    """Add an instalment of 到位资金 to `lead`; `Lead.paid_in` becomes the new sum.

    Locks the row and refuses a stale copy; the sum is taken from the
    stored instalments under that lock, so concurrent instalments all count.
    """
    with transaction.atomic():
        locked = lead_lock_current(lead)
        total = PaidIn.objects.filter(lead=locked).aggregate(total=Sum("amount"))["total"]
        plan = plan_paid_in(
            locked, on=on, amount=amount, kind=kind, note=note, total=total or Decimal("0")
        )
        _save(locked, plan, actor)
        return PaidIn.objects.create(lead=locked, actor=actor, channel=channel, **plan.instalment)


def plan_set_key(lead, *, is_key: bool, reason: str = "") -> EditPlan:
    """Return the plan of marking `lead` as a key project (重点项目) or not; none if it is so."""
    if lead.is_key == bool(is_key):
        return EditPlan(changes={}, reason="")
    reason = (reason or "").strip()
    text = _("列为重点项目") if is_key else _("取消重点项目")
    return EditPlan(
        changes={"is_key": bool(is_key), "version": lead.version + 1},
        reason=f"{text}（{reason}）" if reason else text,
    )


def lead_set_key(*, lead: Lead, is_key: bool, actor, reason: str = "") -> Lead:
    """Mark `lead` as a key project (重点项目) or not; 局领导 only. Kept in the field history."""
    if actor is None or not actor.has_perm("leads.mark_key_lead"):
        raise LeadServiceError({"is_key": _("只有局领导可以标记重点项目。")})
    with transaction.atomic():
        locked = lead_lock_current(lead)
        plan = plan_set_key(locked, is_key=is_key, reason=reason)
        if plan.changes:
            _save(locked, plan, actor)
    return locked


def lead_add_supervision(
    *, lead: Lead, note: str, deadline: date, actor, node: str = ""
) -> SupervisionNote:
    """Add a 督办 note with a deadline to `lead`; 局领导 only. Append-only, shown in its history."""
    if actor is None or not actor.has_perm("leads.supervise_lead"):
        raise LeadServiceError({"note": _("只有局领导可以督办。")})
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请填写督办意见。")
    elif len(note) > 2000:
        errors["note"] = _("督办意见不能超过 2000 字。")
    if not isinstance(deadline, date):
        errors["deadline"] = _("请填写办理期限。")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("办理期限不能早于今天。")
    if node and node not in Node.values:
        errors["node"] = _("未知的节点。")
    if errors:
        raise LeadServiceError(errors)
    return SupervisionNote.objects.create(
        lead=lead, note=note, deadline=deadline, actor=actor, node=node
    )
