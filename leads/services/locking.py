"""The row lock every lead write takes, and the refusal of a stale copy."""

from django.utils.translation import gettext as _

from leads.models import Lead
from leads.services.errors import EditConflict


def lead_lock_current(lead: Lead) -> Lead:
    """Lock the lead's row and return it; refuse a copy read before the last change.

    Must run inside a transaction. Raises EditConflict, in Chinese, when
    `lead.version` is not the stored version, so nothing the caller was
    about to write overwrites someone else's change.
    """
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.version != locked.version:
        raise EditConflict(
            {
                "version": _(
                    "该线索已被他人修改（当前版本 %(current)d，您的版本 %(yours)d），"
                    "请刷新后重新操作，您填写的内容未保存。"
                )
                % {"current": locked.version, "yours": lead.version}
            }
        )
    return locked
