from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("招商线索")

    def ready(self):
        from crm.spreadsheets.importers import importer_register
        from leads.excel.lead_importer import LeadImporter
        from leads.excel.targets import TargetImporter

        importer_register("leads", LeadImporter)
        importer_register("targets", TargetImporter)
