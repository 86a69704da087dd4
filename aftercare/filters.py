"""ProblemFilter: how the ledger is filtered, by the list page and the export."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftercare.choices import Category, Status
from aftercare.models import Problem
from leads.models import TaskTeam, Unit
from leads.reports.period import month_end

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class ProblemFilter(django_filters.FilterSet):
    """Query parameters: q, status, category, team, responsible_unit, unit, overdue, enterprise,
    month (YYYY-MM).

    `responsible_unit` is a leads.Unit (by id); `unit` is text found in any of
    the three names (team, unit, outside department).
    """

    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    status = django_filters.MultipleChoiceFilter(
        label=_("办理状态"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    category = django_filters.MultipleChoiceFilter(
        label=_("诉求类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    team = django_filters.ModelChoiceFilter(
        label=_("责任小分队"),
        field_name="responsible_team",
        queryset=TaskTeam.objects.all(),
        empty_label=_("全部"),
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.all(),
        empty_label=_("全部"),
    )
    unit = django_filters.CharFilter(label=_("责任单位名称"), method="filter_unit")
    overdue = django_filters.BooleanFilter(label=_("超期"), method="filter_overdue")
    enterprise = django_filters.NumberFilter(label=_("企业"), field_name="enterprise_id")
    month = django_filters.CharFilter(label=_("反映月份"), method="filter_month")

    class Meta:
        model = Problem
        fields = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(code__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(description__icontains=value)
        )

    def filter_unit(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(responsible_team__name__icontains=value)
            | Q(responsible_unit__name__icontains=value)
            | Q(responsible_unit_name__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.not_overdue()

    def filter_month(self, queryset, name, value):
        match = MONTH.match(value.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            return queryset.none()
        year, month = int(match[1]), int(match[2])
        return queryset.filter(
            raised_on__gte=f"{year:04d}-{month:02d}-01", raised_on__lte=month_end(year, month)
        )
