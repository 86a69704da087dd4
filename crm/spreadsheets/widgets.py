"""django-import-export widgets shared by the apps' Resources."""

from import_export import widgets


class ChoiceLabelWidget(widgets.Widget):
    """Write a choice by its Chinese label."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.labels = dict(choices)

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))
