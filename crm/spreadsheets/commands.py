"""The shared body of the import_* and export_* management commands."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crm.spreadsheets.importers import WorkbookImporter


class ProgressBar:
    """A text progress bar on the command's stderr: 校验 [#####.....] 52% 52000/100000."""

    PHASES = {"validate": "校验", "write": "写入", "done": "完成"}

    def __init__(self, stream, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.last = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        percent = int(100 * done / total) if total else 100
        state = (phase, percent)
        if state == self.last:
            return
        self.last = state
        filled = percent // 4
        bar = "#" * filled + "." * (25 - filled)
        label = self.PHASES.get(phase, phase)
        self.stream.write(f"\r{label} [{bar}] {percent:3d}% {done}/{total}", ending="")
        self.stream.flush()
        if phase == "done":
            self.stream.write("")

    def finish(self):
        if self.enabled and self.last and self.last[0] != "done":
            self.stream.write("")


class ImportCommand(BaseCommand):
    importer_class: type[WorkbookImporter]
    help = "Import a workbook: all rows or, on any error, none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )
        parser.add_argument("--user", help="record the import as done by this username")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, dry_run, user, no_progress, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"没有用户名为“{user}”的用户。") from None
        progress = ProgressBar(self.stderr, enabled=not no_progress and options["verbosity"] > 0)
        report = self.importer_class().run(
            path.read_bytes(),
            actor=actor,
            dry_run=dry_run,
            filename=path.name,
            progress=progress,
        )
        progress.finish()
        for line in report.warnings:
            self.stderr.write(f"注意：{line}")
        if not report.ok:
            for line in report.shown_error_lines():
                self.stderr.write(line)
            count = 1 if report.file_error else len(report.errors)
            raise CommandError(f"导入失败：{count} 处错误，未写入任何数据。")
        self.stdout.write(report.summary())


class ExportCommand(BaseCommand):
    help = "Export a workbook."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def write(self, path: Path, options) -> int:
        raise NotImplementedError

    def handle(self, *args, out, **options):
        path = Path(out)
        count = self.write(path, options)
        self.stdout.write(f"已导出 {count} 条到 {path}")
