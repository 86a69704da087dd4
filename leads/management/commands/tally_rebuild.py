"""Count the stage tally and the report tally again from the leads and instalments, and find
the duplicate finder's shared keys again."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from leads.dedup.buckets import buckets_rebuild
from leads.report_tally import report_tally_rebuild
from leads.tally import tally_rebuild


class Command(BaseCommand):
    help = (
        "从线索和到位资金重新统计阶段汇总和报表汇总，并重新找出查重键"
        "（执行迁移后自动进行；数据被绕过触发器改动后手动运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        if database not in connections:
            raise CommandError(
                f"数据库“{database}”未在设置中配置（可用：{'、'.join(connections)}）。"
            )
        stages = tally_rebuild(using=database)
        report = report_tally_rebuild(using=database)
        keys = buckets_rebuild(using=database)
        self.stdout.write(f"阶段汇总 {stages} 行，报表汇总 {report} 行，查重键 {keys} 个。")
