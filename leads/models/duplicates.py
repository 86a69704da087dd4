"""Duplicate leads: pairs judged not to be duplicates, and merges (kept to be undone)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from leads.models.lead import Lead


class NotDuplicateSource(models.TextChoices):
    CREATE = "create", _("新建时确认（仍然新建）")
    EDIT = "edit", _("编辑时确认不是重复")
    FINDER = "finder", _("查重页确认不是重复")


class NotDuplicate(models.Model):
    """Two leads someone judged not to be duplicates: the choice, who made it and where.

    One row per pair, the lower id first. A choice on the finder page hides
    the pair from the finder; a clerk's choice on entry is only shown there.
    """

    # related_name "+": a merge moves a lead's rows generically, not these.
    first = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("确认方式"), max_length=10, choices=NotDuplicateSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("确认时间"), auto_now=True)

    class Meta:
        verbose_name = _("确认不是重复")
        verbose_name_plural = _("确认不是重复")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="not_duplicate_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"


class LeadMerge(models.Model):
    """One merge of a duplicate into the lead kept: what it changed, so that it can be undone.

    `changes` holds the kept lead's fields as they were before (name →
    value, JSON-safe); `moved` the rows moved from the merged lead (relation
    label → ids); `keep_version` the kept lead's version after the merge,
    which an undo requires unchanged.
    """

    keep = models.ForeignKey(
        Lead, verbose_name=_("保留线索"), on_delete=models.PROTECT, related_name="+"
    )
    merged = models.ForeignKey(
        Lead, verbose_name=_("被合并线索"), on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("合并人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("合并时间"))
    changes = models.JSONField(_("保留线索原值"), default=dict)
    moved = models.JSONField(_("移动的记录"), default=dict)
    keep_version = models.PositiveIntegerField(_("合并后版本"))
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("线索合并")
        verbose_name_plural = _("线索合并")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="lead_merge_once"
            ),
        ]

    def __str__(self):
        return f"{self.merged_id} → {self.keep_id}"


class DuplicateKey(models.Model):
    """A matching key that may be shared by likely duplicates (`leads.dedup.buckets`).

    Two kinds of row, read alike by the finder:

    - written by database triggers on the lead table (`folded` false): the
      investor and credit keys of a live lead as inserted, or as updated when
      a key, the name or its liveness changed; no rule is applied then;
    - folded (`buckets_fold`, `buckets_rebuild`): one key, investor or credit,
      that live leads shared by the rule of `keys_match` when it was folded.

    Every key live leads now share by the rule is in a row, so the finder reads
    the leads of these keys only, not the city's.
    """

    investor_key = models.CharField(_("投资方查重键"), max_length=200, blank=True)
    credit_key = models.CharField(_("信用代码查重键"), max_length=18, blank=True)
    folded = models.BooleanField(_("已归并"), default=False)

    class Meta:
        verbose_name = _("疑似重复查重键")
        verbose_name_plural = _("疑似重复查重键")

    def __str__(self):
        return self.investor_key or self.credit_key
