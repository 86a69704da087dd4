"""List import cycles between modules and between top-level packages; exit 1 if any."""

from django.core.management.base import BaseCommand, CommandError

from crm.architecture import module_cycles, package_cycles


class Command(BaseCommand):
    help = "列出模块之间、顶层包之间的循环导入；有则以状态 1 退出。"

    def handle(self, *args, **options):
        found = False
        for title, groups in (("模块", module_cycles()), ("顶层包", package_cycles())):
            for group in groups:
                found = True
                self.stdout.write(f"{title}循环导入：{' ↔ '.join(group)}")
        if found:
            raise CommandError("存在循环导入。")
        self.stdout.write("没有循环导入。")
