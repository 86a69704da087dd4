"""The audit log: who logged in (or failed to), who exported or imported what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What an import or export was of, and through which way, as staff read them.
SUBJECT_LABELS = {
    "leads": _("招商线索"),
    "targets": _("年度目标"),
    "chambers": _("商会协会"),
    "entrepreneurs": _("企业家"),
    "problems": _("企业诉求"),
    "problem_ledger": _("企业诉求月度台账"),
    "monthly_report": _("月度通报"),
    "overdue_nodes": _("督办清单"),
    "key_projects": _("重点项目推进表"),
}
CHANNEL_LABELS = {"web": _("网页"), "admin": _("管理后台"), "command": _("命令行")}


class AuditEvent(models.Model):
    """One security-relevant event. Rows are written by `audit.services` and never edited."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账号锁定")
        LOGOUT = "logout", _("退出")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name typed at a failed login, or the user's name when the account is later deleted.
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    channel = models.CharField(_("途径"), max_length=20, blank=True)
    subject = models.CharField(_("对象"), max_length=50, blank=True)
    query = models.TextField(_("筛选条件"), blank=True)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        # History is never edited: only the view permission exists.
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"

    @property
    def subject_label(self) -> str:
        """Return what was imported or exported, in Chinese (the stored key when unknown)."""
        return str(SUBJECT_LABELS.get(self.subject, self.subject))

    @property
    def channel_label(self) -> str:
        """Return the way in (网页, 管理后台, 命令行), or the stored value."""
        return str(CHANNEL_LABELS.get(self.channel, self.channel or _("网页")))
