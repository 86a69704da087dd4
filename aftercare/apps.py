from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "aftercare"
    verbose_name = _("企业服务")

    def ready(self):
        """Register with the layers leads offers; leads never imports aftercare."""
        from aftercare.excel import ProblemImporter
        from aftercare.report_section import register_problem_section
        from aftercare.services import enterprises_link_landed
        from crm.spreadsheets.importers import importer_register
        from leads.signals import lead_landed_in_transaction

        def link_landed(sender, *, leads, actor=None, **kwargs):
            # Landing a lead creates or links its enterprise, in the landing's transaction.
            enterprises_link_landed(leads=leads)

        lead_landed_in_transaction.connect(
            link_landed, weak=False, dispatch_uid="aftercare.enterprises_link_landed"
        )
        importer_register("problems", ProblemImporter)
        register_problem_section()
