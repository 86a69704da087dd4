"""Back up the SQLite database while the app runs (sqlite3's online backup API)."""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "在线备份 SQLite 数据库到 OUT 文件（运行中也可备份）；PostgreSQL 请用 pg_dump。"

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份文件路径，如 /var/backups/crm/crm-20260301.sqlite3")
        parser.add_argument("--force", action="store_true", help="覆盖已有的备份文件")

    def handle(self, *args, out, force, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                "当前数据库不是 SQLite：PostgreSQL 请用 pg_dump 备份（见 docs/deploy.md）。"
            )
        source_path = Path(connection.settings_dict["NAME"])
        target_path = Path(out)
        if target_path.exists() and not force:
            raise CommandError(f"{target_path} 已存在；换一个文件名，或加 --force 覆盖。")
        if target_path.resolve() == source_path.resolve():
            raise CommandError("备份文件不能是数据库文件本身。")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(source_path)
        target = sqlite3.connect(target_path)
        try:
            # Copies page by page under SQLite's own locking: writers may go on meanwhile.
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            (check,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
            source.close()
        if check != "ok":
            raise CommandError(f"备份文件校验失败：{check}")
        size = target_path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"已备份到 {target_path}（{size} 字节，校验通过）。"))
