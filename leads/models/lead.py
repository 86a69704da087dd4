"""The lead (招商线索) and the rules that hold within one lead row."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from model_utils import FieldTracker
from model_utils.fields import StatusField
from model_utils.models import TimeStampedModel
from simple_history.models import HistoricalRecords

from crm.spreadsheets.cells import EXCEL_CELL_LIMIT
from leads.choices import (
    LOST_TO_OTHER_PLACE,
    PIPELINE_STAGE_CHOICES,
    OriginType,
    Source,
    Stage,
)
from leads.models.reference import Industry, TaskTeam, Unit
from leads.querysets import LeadManager, LeadQuerySet, report_event_index_fields
from leads.validators import validate_credit_code

# No more than an Excel cell holds: longer text could not travel whole in
# the lead workbook.
LONG_TEXT = {"blank": True, "validators": [MaxLengthValidator(EXCEL_CELL_LIMIT)]}

AMOUNT = {
    "max_digits": 14,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
    "null": True,
    "blank": True,
}


@dataclass(frozen=True)
class StageHolds:
    """What a lead at one of `stages` must hold: one CHECK constraint of the lead table.

    `not_null` fields must not be NULL, `not_blank` text fields must not be
    empty. The constraint and the bulk import's pre-check
    (`leads.services.rules.lead_held_errors`) are both built from this.
    """

    name: str
    stages: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    not_blank: tuple[str, ...] = ()

    def condition(self) -> Q:
        """Return the constraint's condition: another stage, or every field held."""
        stage = Q(stage=self.stages[0]) if len(self.stages) == 1 else Q(stage__in=list(self.stages))
        # Sorted as Q(**kwargs) sorts them, so the migration's condition is unchanged.
        held = Q(
            *sorted((f"{name}__isnull", False) for name in self.not_null),
            *(~Q(**{name: ""}) for name in self.not_blank),
        )
        return ~stage | held

    def missing(self, lead) -> list[str]:
        """Return the fields `lead` (a Lead or lead-like object) lacks for this rule."""
        if lead.stage not in self.stages:
            return []
        return [name for name in self.not_null if getattr(lead, name) is None] + [
            name for name in self.not_blank if getattr(lead, name) == ""
        ]


# What a lead at a stage holds (DESIGN: pipeline, "required on entering").
STAGE_HOLDS = (
    StageHolds(
        "lead_signed_has_date_and_amount",
        (Stage.SIGNED, Stage.LANDED),
        not_null=("signed_on", "contract_amount"),
    ),
    StageHolds(
        "lead_landed_has_company",
        (Stage.LANDED,),
        not_null=("landed_on",),
        not_blank=("registered_name", "credit_code"),
    ),
    StageHolds(
        "lead_dropped_has_reason", (Stage.DROPPED,), not_blank=("drop_reason", "dropped_from")
    ),
)


class StageChoicesBase(models.Model):
    """Give a model the `STAGE` choices that model-utils' StatusField reads."""

    STAGE = Stage.choices

    class Meta:
        abstract = True


class Lead(StageChoicesBase, TimeStampedModel):
    """An investment lead (招商线索/项目), followed from first contact to landing.

    `stage` changes only through `leads.services.lead_change_stage`.
    """

    code = models.CharField(_("项目编号"), max_length=32, unique=True, editable=False)
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资方"), max_length=200)
    origin = models.CharField(_("投资方所在地"), max_length=200, blank=True)
    origin_type = models.CharField(
        _("资金来源类别"), max_length=20, choices=OriginType.choices, blank=True
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("所属产业"), on_delete=models.PROTECT, related_name="leads"
    )
    source = models.CharField(_("线索来源"), max_length=20, choices=Source.choices)
    chamber = models.ForeignKey(
        "chambers.Chamber",
        verbose_name=_("推介商会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    entrepreneur = models.ForeignKey(
        "chambers.Entrepreneur",
        verbose_name=_("回乡企业家"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    stage = StatusField(_("当前阶段"), choices_name="STAGE", max_length=20, editable=False)
    stage_entered_at = models.DateTimeField(
        _("进入本阶段时间"), default=timezone.now, editable=False
    )
    team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("负责小分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        editable=False,
    )
    credit_team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("引进小分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_leads",
        editable=False,
        help_text=_(
            "首谈/引进该项目的小分队，默认为录入时的小分队；只有局领导可变更并须说明原因。"
        ),
    )
    credit_unit = models.ForeignKey(
        Unit,
        verbose_name=_("引进单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_leads",
    )
    leader = models.CharField(
        _("分包领导"), max_length=100, blank=True, help_text=_("包抓该项目的区级领导。")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_leads",
    )
    planned_investment = models.DecimalField(_("计划投资额(万元)"), **AMOUNT)
    contract_amount = models.DecimalField(_("签约投资额(万元)"), **AMOUNT)
    # The sum of the lead's instalments (leads.PaidIn), kept by `lead_add_paid_in`.
    paid_in = models.DecimalField(_("到位资金(万元)"), **AMOUNT, editable=False)
    visited_on = models.DateField(_("考察日期"), null=True, blank=True)
    intent_on = models.DateField(_("意向日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    # The milestones after 落地 (早开工、早见效), recorded by `lead_record_milestone`.
    started_on = models.DateField(_("开工日期"), null=True, blank=True, editable=False)
    in_production_on = models.DateField(_("投产日期"), null=True, blank=True, editable=False)
    # The node plan: the current planned dates; every version is a leads.NodePlan row.
    planned_signed_on = models.DateField(_("计划签约日期"), null=True, blank=True, editable=False)
    planned_landed_on = models.DateField(_("计划落地日期"), null=True, blank=True, editable=False)
    planned_started_on = models.DateField(_("计划开工日期"), null=True, blank=True, editable=False)
    planned_in_production_on = models.DateField(
        _("计划投产日期"), null=True, blank=True, editable=False
    )
    is_key = models.BooleanField(
        _("重点项目"),
        default=False,
        editable=False,
        help_text=_(
            "由局领导标记；签约或计划投资额达 1 亿元（10,000 万元）的项目建议列为重点项目。"
        ),
    )
    registered_name = models.CharField(_("落地企业名称"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    drop_reason = models.TextField(_("终止原因"), **LONG_TEXT)
    lost_to = models.CharField(
        _("落户地"),
        max_length=200,
        blank=True,
        help_text=_("终止原因为“落户他地”时，填写项目最终落户的地方。"),
    )
    dropped_from = models.CharField(
        _("终止前阶段"),
        max_length=20,
        choices=PIPELINE_STAGE_CHOICES,
        blank=True,
        editable=False,
    )
    # The counted events (统计口径), set by the pipeline rules when the lead
    # first enters 签约 / 落地 and cleared only by a correction move back;
    # the monthly report counts by these, never by the editable dates.
    first_signed_on = models.DateField(_("计入签约日期"), null=True, blank=True, editable=False)
    first_signed_amount = models.DecimalField(
        _("计入签约金额(万元)"), **{**AMOUNT, "validators": []}, editable=False
    )
    first_signed_entered = models.DateField(
        _("签约录入日期"), null=True, blank=True, editable=False
    )
    first_landed_on = models.DateField(_("计入落地日期"), null=True, blank=True, editable=False)
    first_landed_entered = models.DateField(
        _("落地录入日期"), null=True, blank=True, editable=False
    )
    next_follow_up = models.DateField(_("下次跟进日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), **LONG_TEXT)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    # The normalised matching keys of duplicate checks (leads.dedup.normal),
    # set from the plans of every write; derived, so not in the field history.
    investor_key = models.CharField(_("投资方查重键"), max_length=200, blank=True, editable=False)
    name_key = models.CharField(_("项目名称查重键"), max_length=200, blank=True, editable=False)
    credit_key = models.CharField(_("信用代码查重键"), max_length=18, blank=True, editable=False)
    # 已合并: a duplicate merged into another lead (leads.services.lead_merge);
    # kept as a record, left out of every list, count and report.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并到"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_leads",
        editable=False,
        # Indexed by the partial index below: a full index on a column that is
        # NULL on nearly every row lures SQLite's planner into scanning the whole
        # table for the default manager's "merged_into IS NULL".
        db_index=False,
    )

    # The default manager leaves merged leads out (every list, count and
    # report reads it); `all_objects` holds them too (codes, merges, redirects).
    objects = LeadManager()
    all_objects = LeadQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["modified", "investor_key", "name_key", "credit_key"],
        bases=[StageChoicesBase],
    )
    # The credit change (`lead_set_credit`) asks what it changed. Only its two columns:
    # tracking every field copied ~50 values into each lead loaded, on every page.
    tracker = FieldTracker(fields=["credit_team_id", "credit_unit_id"])

    class Meta:
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        ordering = ["-created"]
        permissions = [
            ("change_stage_lead", _("可变更线索阶段")),
            ("manage_all_lead", _("可管理所有小分队的线索")),
            ("assign_team_lead", _("可指定负责小分队")),
            ("import_lead", _("可导入线索")),
            ("export_lead", _("可导出线索")),
            ("correct_stage_lead", _("可更正误录的阶段（撤销签约、落地的统计）")),
            ("set_credit_lead", _("可变更引进小分队、引进单位")),
            ("lock_report_lead", _("可封存月度通报")),
            ("mark_key_lead", _("可标记重点项目")),
            ("supervise_lead", _("可督办项目节点")),
            ("merge_lead", _("可合并重复线索")),
            ("find_duplicates_lead", _("可查看疑似重复线索")),
        ]
        indexes = [
            # The board's and the dashboard's per-stage figures and 三色预警 read the
            # index alone: the stage, when it was entered, the team and the amounts.
            # The 产业 and the 来源: the board filtered by them and 滞留 reads each
            # stage's stalled range here alone (一个产业 + 滞留 at 1,000,000 leads:
            # PostgreSQL 155 -> 70 ms, SQLite 146 -> 57 ms).
            # The signing date and the id: a past day's backlog finds the leads moved
            # since that day that were signed by then in the index alone (1,844 of
            # the 16,501 moved in a week at 1,000,000 leads), not in their rows.
            models.Index(
                fields=[
                    "stage",
                    "stage_entered_at",
                    "merged_into",
                    "team",
                    "industry",
                    "source",
                    "contract_amount",
                    "planned_investment",
                    "first_signed_on",
                    "id",
                ],
                name="lead_stage_idx",
            ),
            # 督办: the leads with a planned node date (few), by that date, with what
            # tells whether the node is done (leads.nodes) and the team, so a node's late
            # count, of every team or of one, reads the index alone (the page for one team
            # at 1,000,000 leads: SQLite 117 -> 20 ms, PostgreSQL 45 -> 21 ms; without the
            # team each late lead's row was read to check it).
            *(
                models.Index(
                    fields=[f"planned_{node}_on", "stage", "merged_into", *done, "team"],
                    condition=Q(**{f"planned_{node}_on__isnull": False}),
                    name=f"lead_plan_{node}_idx",
                )
                for node, done in (
                    ("signed", ()),
                    ("landed", ()),
                    ("started", ("started_on",)),
                    ("in_production", ("in_production_on",)),
                )
            ),
            models.Index(fields=["signed_on"]),
            models.Index(fields=["landed_on"]),
            # The counted events, with every column the counted-event queries
            # of the leads read (leads.querysets.REPORT_COLUMNS): those queries
            # read the index alone, not the wide lead rows.
            models.Index(
                fields=report_event_index_fields("first_signed_on"),
                condition=Q(first_signed_on__isnull=False),
                name="lead_signed_event_idx",
            ),
            models.Index(
                fields=report_event_index_fields("first_landed_on"),
                condition=Q(first_landed_on__isnull=False),
                name="lead_landed_event_idx",
            ),
            # The backlog (签约未落地, leads.reports.backlog): the leads at 签约 in the
            # order it lists them, with what its totals and its "not moved since the
            # day" part read, so the totals read this index alone and the page's
            # first rows need no sort. The stage leads, though the condition implies
            # it: SQLite reads an index alone only if it holds the column, and an
            # unanalyzed SQLite prefers an index whose first column the query
            # matches by equality (else it takes lead_stage_amount_idx and the rows).
            # The condition names the signing date, which every backlog query
            # bounds: a query of the leads at 签约 that does not (the board's column,
            # the list by amount) cannot take this index, which an analyzed SQLite
            # took and sorted (the board 49 -> 199 ms at 1,000,000 leads). It holds
            # the listed columns too (leads.reports.backlog.LISTED_FIELDS), the id
            # last: the JSON and the workbook list every waiting lead from this index
            # alone, in its order, not from 70,000 rows of the table sorted
            # (PostgreSQL 324 -> 66 ms at 1,000,000 leads). It is partial: only
            # the leads at 签约 pay for it.
            models.Index(
                fields=[
                    "stage",
                    "first_signed_on",
                    "code",
                    "stage_entered_at",
                    "first_landed_on",
                    "first_signed_amount",
                    "merged_into",
                    "name",
                    "investor",
                    "industry",
                    "team",
                    "id",
                ],
                condition=Q(stage=Stage.SIGNED, first_signed_on__isnull=False),
                name="lead_backlog_idx",
            ),
            # 调整说明 (late entries): the events first recorded in a period, with their
            # dates, so only those dated before it are read from the table (a city's month
            # records thousands of signings, and reading each took 20 ms at 1,000,000 leads).
            models.Index(
                fields=["first_signed_entered", "first_signed_on"], name="lead_signed_entered_idx"
            ),
            models.Index(
                fields=["first_landed_entered", "first_landed_on"], name="lead_landed_entered_idx"
            ),
            models.Index(fields=["investor", "name"]),
            # The list sorted by 签约金额 either way (ties by id the same way): the first
            # page read from the index instead of sorting every lead.
            models.Index(fields=["contract_amount", "id"], name="lead_amount_sort_idx"),
            # The same within one stage (签约项目 by amount, a deep page): the stage's
            # range in order, not every lead by amount filtered down to the stage; with
            # merged_into, so the page's count of the stage reads it alone too.
            models.Index(
                fields=["stage", "contract_amount", "id", "merged_into"],
                name="lead_stage_amount_idx",
            ),
            # The 重点项目推进表 of a year (leads.key_projects.year_q): its count and first
            # page read the key projects' columns the condition asks, in code order, from
            # this index, not the lead rows; with the condition's own columns, which
            # SQLite checks again when they are bound parameters. The candidates proposed
            # have their own index, written per database
            # (leads.key_projects.candidate_index_sql, migration 0029).
            models.Index(
                fields=[
                    "code",
                    "planned_signed_on",
                    "planned_landed_on",
                    "planned_started_on",
                    "planned_in_production_on",
                    "stage",
                    "started_on",
                    "in_production_on",
                    "is_key",
                    "merged_into",
                    "id",
                ],
                condition=Q(is_key=True, merged_into__isnull=True) & ~Q(stage=Stage.DROPPED),
                name="lead_key_year_idx",
            ),
            # The report's 签约后终止 looks up each drop's lead by id for its counted signing:
            # from this index alone, not the wide lead rows (most drops are of leads never
            # signed, which the condition leaves out). 1,000,000 leads: SQLite 56 -> 15 ms,
            # PostgreSQL 93 -> 21 ms with the drops' index (`transition_stage_at_idx`).
            models.Index(
                fields=["id", "first_signed_on", "first_signed_entered", "first_signed_amount"],
                condition=Q(first_signed_on__isnull=False),
                name="lead_signing_by_id_idx",
            ),
            models.Index(fields=["next_follow_up"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["in_production_on"]),
            # The duplicate checks and the finder's GROUP BY read only live leads.
            models.Index(
                fields=["investor_key", "name_key"],
                condition=Q(merged_into__isnull=True),
                name="lead_dup_investor_idx",
            ),
            models.Index(
                fields=["credit_key"],
                condition=Q(merged_into__isnull=True) & ~Q(credit_key=""),
                name="lead_dup_credit_idx",
            ),
            # The 以商招商 scoreboards (chambers.selectors): every column they count, for
            # the referred leads only, so they read the index instead of the lead rows.
            *(
                models.Index(
                    fields=[
                        referrer,
                        "merged_into",
                        "stage",
                        "first_signed_on",
                        "first_landed_on",
                        "first_signed_amount",
                        # Counted by id: PostgreSQL reads an index alone only if it holds it.
                        "id",
                    ],
                    condition=Q(**{f"{referrer}__isnull": False}),
                    name=f"lead_{referrer}_score_idx",
                )
                for referrer in ("chamber", "entrepreneur")
            ),
            # The merged leads of a lead (merge, undo, code look-ups): few rows.
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="lead_merged_into_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="lead_stage_valid"),
            *(
                models.CheckConstraint(condition=holds.condition(), name=holds.name)
                for holds in STAGE_HOLDS
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="lead_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0) | Q(planned_investment__isnull=True),
                name="lead_planned_investment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(contract_amount__gte=0) | Q(contract_amount__isnull=True),
                name="lead_contract_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(paid_in__gte=0) | Q(paid_in__isnull=True),
                name="lead_paid_in_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        """Check the rules that hold within one lead row, whatever its stage."""
        errors = lead_row_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def days_in_stage(self) -> int:
        """Return whole days since the lead entered its current stage."""
        return (timezone.localdate() - timezone.localdate(self.stage_entered_at)).days

    @property
    def is_merged(self) -> bool:
        """Return whether the lead was merged into another (已合并)."""
        return self.merged_into_id is not None

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.LANDED, Stage.DROPPED)


STAGE_DATE_FIELDS = ("visited_on", "intent_on", "signed_on", "landed_on")
# The milestone dates continue the stage dates' order: 开工 not before 落地, 投产 not before 开工.
MILESTONE_DATE_FIELDS = ("started_on", "in_production_on")
DATED_FIELDS = STAGE_DATE_FIELDS + MILESTONE_DATE_FIELDS


def lead_row_errors(lead, today=None) -> dict:
    """Return field errors for the rules within one lead row (Lead.clean and the bulk import).

    `lead` is a Lead or any object with the same attributes; `today` defaults
    to the local date (a bulk caller passes it once).
    """
    errors = {}
    if lead.source == Source.CHAMBER and not lead.chamber_id:
        errors["chamber"] = _("线索来源为“商会推介”时必须填写推介商会。")
    if lead.source == Source.RETURNEE and not lead.entrepreneur_id:
        errors["entrepreneur"] = _("线索来源为“回乡创业”时必须填写回乡企业家。")
    if LOST_TO_OTHER_PLACE in (lead.drop_reason or "") and not lead.lost_to:
        errors["lost_to"] = _("终止原因为“落户他地”时必须填写落户地。")
    errors.update(stage_date_errors(lead, today))
    if lead.stage != Stage.LANDED:
        for field in MILESTONE_DATE_FIELDS:
            if getattr(lead, field, None) is not None:
                errors.setdefault(
                    field,
                    _("%(label)s只能在项目落地后填写。")
                    % {"label": Lead._meta.get_field(field).verbose_name},
                )
    return errors


def stage_date_errors(lead, today=None) -> dict:
    """Return field errors for stage and milestone dates in the future or out of order."""
    errors = {}
    today = today or timezone.localdate()
    previous_field, previous_date = None, None
    for field in DATED_FIELDS:
        value = getattr(lead, field, None)
        if value is None:
            continue
        label = Lead._meta.get_field(field).verbose_name
        if value > today:
            errors[field] = _("%(label)s不能晚于今天（%(today)s）。") % {
                "label": label,
                "today": today.isoformat(),
            }
        elif previous_date is not None and value < previous_date:
            errors[field] = _(
                "%(label)s（%(value)s）不能早于%(previous)s（%(previous_value)s）。"
            ) % {
                "label": label,
                "value": value.isoformat(),
                "previous": Lead._meta.get_field(previous_field).verbose_name,
                "previous_value": previous_date.isoformat(),
            }
        previous_field, previous_date = field, value
    return errors
