from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChambersConfig(AppConfig):
    name = "chambers"
    verbose_name = _("商会与企业家")

    def ready(self):
        from chambers.excel import ChamberImporter, EntrepreneurImporter
        from crm.spreadsheets.importers import importer_register

        importer_register("chambers", ChamberImporter)
        importer_register("entrepreneurs", EntrepreneurImporter)
