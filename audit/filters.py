"""The audit log page's filter: kind, user, date range."""

import django_filters
from django import forms

from audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label="类型", choices=AuditEvent.Kind.choices, empty_label="全部"
    )
    username = django_filters.CharFilter(label="用户名", lookup_expr="icontains")
    after = django_filters.DateFilter(
        label="自",
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    before = django_filters.DateFilter(
        label="至",
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "after", "before"]
