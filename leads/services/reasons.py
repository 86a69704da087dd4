"""The change reasons a plan records in the field history, translated once per language.

A bulk import plans tens of thousands of moves; looking up the active
language and translating per lead would cost more than the rules.
"""

from __future__ import annotations

import functools

from django.utils import translation
from django.utils.translation import gettext as _

from leads.choices import Stage

STAGES = {stage.value: stage for stage in Stage}


@functools.lru_cache(maxsize=1024)
def _reason(language: str | None, key: tuple) -> str:
    with translation.override(language):
        kind = key[0]
        if kind == "create":
            return _("新建线索")
        if kind == "edit":
            return _("修改线索信息")
        if kind == "assign":
            return _("指定负责小分队：%(team)s") % {"team": key[1]}
        return _("阶段变更：%(from)s → %(to)s") % {
            "from": STAGES[key[1]].label,
            "to": STAGES[key[2]].label,
        }


def change_reason(*key, language=None) -> str:
    """Return a change reason, translated once per language and key, not once per lead.

    Keys: ("create",) 新建线索; ("edit",) 修改线索信息; ("assign", team name)
    指定负责小分队：…; ("move", from, to) 阶段变更：意向 → 签约. In `language`, the
    active language unless given (a bulk caller reads it once).
    """
    return _reason(language or translation.get_language(), tuple(str(part) for part in key))
