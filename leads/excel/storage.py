"""Keep the admin's uploaded workbook in the database between its preview and its confirm.

django-import-export's default keeps it in a temporary folder, which breaks
when the confirm reaches another app server; the app keeps no state on disk.
"""

from uuid import uuid4

from import_export.tmp_storages import BaseStorage

from leads.models import AdminUpload


class DatabaseTmpStorage(BaseStorage):
    def save(self, data):
        if not self.name:
            self.name = uuid4().hex
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        AdminUpload.objects.update_or_create(name=self.name, defaults={"data": data})

    def read(self):
        data = bytes(AdminUpload.objects.get(name=self.name).data)
        if "b" in (self.read_mode or ""):
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self):
        AdminUpload.objects.filter(name=self.name).delete()
