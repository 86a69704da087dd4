"""LeadFilter: the one definition of how leads are filtered, by pages, exports and reports."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from leads.choices import OriginType, Source, Stage
from leads.keyword_index import keyword_narrowing
from leads.models import Industry, Lead, TaskTeam, Unit

# The referring chamber and entrepreneur models, reached through the lead's
# foreign keys: leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model
Entrepreneur = Lead.entrepreneur.field.related_model


# The filters the stage tally counts by, and the `leads.tally.stage_totals` argument of each.
TALLY_FILTERS = {
    "stage": "stages",
    "team": "team_ids",
    "industry": "industry_ids",
    "source": "sources",
}


class LeadFilter(django_filters.FilterSet):
    """Filter leads by the fields staff ask about; usable without a view.

    Query parameters: q, stage, industry, team, source, origin_type, chamber,
    entrepreneur, leader, leader_is, credit_team, credit_unit, signed_on_after/_before,
    landed_on_after/_before, first_signed_on_after/_before and
    first_landed_on_after/_before (the report's counted signing and landing),
    next_follow_up_after/_before, stalled.
    """

    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    # Columns of the lead itself, so no join can repeat a row: no SELECT DISTINCT
    # (django-filter's default for several values), which made SQLite sort every
    # matching lead row in a temporary B-tree before the page could be cut.
    stage = django_filters.MultipleChoiceFilter(
        label=_("阶段"), choices=Stage.choices, distinct=False
    )
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("所属产业"), queryset=Industry.objects.all(), distinct=False
    )
    team = django_filters.ModelChoiceFilter(label=_("负责小分队"), queryset=TaskTeam.objects.all())
    source = django_filters.MultipleChoiceFilter(
        label=_("线索来源"), choices=Source.choices, distinct=False
    )
    origin_type = django_filters.ChoiceFilter(label=_("资金来源类别"), choices=OriginType.choices)
    chamber = django_filters.ModelChoiceFilter(label=_("推介商会"), queryset=Chamber.objects.all())
    entrepreneur = django_filters.ModelChoiceFilter(
        label=_("回乡企业家"), queryset=Entrepreneur.objects.all()
    )
    leader = django_filters.CharFilter(label=_("分包领导"), lookup_expr="icontains")
    leader_is = django_filters.CharFilter(label=_("分包领导（完全一致）"), field_name="leader")
    credit_team = django_filters.ModelChoiceFilter(
        label=_("引进小分队"), queryset=TaskTeam.objects.all()
    )
    credit_unit = django_filters.ModelChoiceFilter(label=_("引进单位"), queryset=Unit.objects.all())
    first_signed_on = django_filters.DateFromToRangeFilter(label=_("计入签约日期"))
    first_landed_on = django_filters.DateFromToRangeFilter(label=_("计入落地日期"))
    signed_on = django_filters.DateFromToRangeFilter(label=_("签约日期"))
    landed_on = django_filters.DateFromToRangeFilter(label=_("落地日期"))
    next_follow_up = django_filters.DateFromToRangeFilter(label=_("下次跟进日期"))
    stalled = django_filters.BooleanFilter(label=_("滞留预警"), method="filter_stalled")

    class Meta:
        model = Lead
        fields = []

    def searches_text(self) -> bool:
        """Return whether the filter has a keyword (关键词): a scan of every lead's text."""
        return bool(self.data and (self.data.get("q") or "").strip())

    def tally_keys(self) -> dict | None:
        """Return what the stage tally keeps for this filter (`leads.tally.stage_totals`'
        stages, team_ids, industry_ids, sources; {} for all leads), or None when it filters
        by anything else (the tally cannot count those)."""
        # What each filter was given, as its widget reads it: a date range comes as
        # `<name>_after` / `<name>_before` (the report's figure links), not as its name.
        used = {name for name in self.filters if _given(self.form[name].data)}
        if not used:
            return {}
        if not used <= set(TALLY_FILTERS) or not self.form.is_valid():
            return None
        data = self.form.cleaned_data
        keys = {argument: _keys(data.get(name)) for name, argument in TALLY_FILTERS.items()}
        return {argument: values for argument, values in keys.items() if values}

    def keeps_stalled_only(self) -> bool:
        """Return whether the filter keeps the stalled leads only (滞留预警: 是)."""
        if not self.is_bound:
            return False
        self.form.is_valid()  # fills cleaned_data, whatever the other fields hold
        return self.form.cleaned_data.get("stalled") is True

    def qs_but_stalled(self):
        """Return the leads every other filter keeps: the board applies 滞留预警 stage by stage,
        each stage's part one range of the stage index (`stalled_parts`)."""
        data = self.data.copy()
        data.pop("stalled", None)
        return type(self)(data, queryset=self.queryset, request=self.request).qs

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The code of a merged lead (已合并) finds the lead it was merged into. Read first:
        # as a subquery beside the keyword index, PostgreSQL read every lead instead.
        merged = Lead.all_objects.using(queryset.db).filter(
            code__iexact=value, merged_into__isnull=False
        )
        held = Q(code__icontains=value) | Q(name__icontains=value) | Q(investor__icontains=value)
        narrowing = keyword_narrowing(value, using=queryset.db)
        if narrowing is not None:
            held &= narrowing
        return queryset.filter(held | Q(pk__in=list(merged.values_list("merged_into", flat=True))))

    def filter_stalled(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.stalled() if value else queryset.not_stalled()


def _keys(value) -> list:
    """Return a cleaned filter value as the tally's keys: choices as they are, records by id."""
    if value is None or value == "":
        return []
    values = value if isinstance(value, (list, tuple, QuerySet)) else [value]
    return [getattr(item, "pk", item) for item in values]


def _given(value) -> bool:
    """Return whether a filter's raw value names anything (several values and a date
    range come as a list)."""
    if isinstance(value, (list, tuple)):
        return any(value)
    return bool(value)
