from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("系统")

    def ready(self):
        from crm import session_limits  # noqa: F401  (stores the login time in the session)
