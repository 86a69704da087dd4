"""One write path: only the services and the import's applier write the lead table.

STYLE: one function performs a transition and the bulk import applies the
same plans. The check reads every module of the project (SQL included) for
writes to leads, and reads the import's applier for decisions of its own.
"""

import ast
import re
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
APPLIER = "leads/excel/write.py"
# ORM calls that write rows.
WRITE_METHODS = {
    "save",
    "delete",
    "update",
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
}
BULK_FUNCTIONS = {"bulk_insert", "bulk_update", "bulk_create"}
RAW_SQL = re.compile(r"\b(INSERT\s+INTO|UPDATE)\s+[\"`]?leads_lead\b", re.IGNORECASE)
# A receiver of .save()/.delete() that holds a lead.
LEAD_NAME = re.compile(r"lead|locked", re.IGNORECASE)


def _root(node) -> str:
    """Return the name a chain like Lead.objects.filter(...).update starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _writes_lead(node) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(RAW_SQL.search(node.value))
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in BULK_FUNCTIONS and node.args and _root(node.args[0]) == "Lead":
        return True
    if not isinstance(func, ast.Attribute) or name not in WRITE_METHODS:
        return False
    if _root(func.value) == "Lead":
        return True
    return name in ("save", "delete") and bool(LEAD_NAME.search(ast.unparse(func.value)))


def lead_writes(source: str) -> list[str]:
    """Return 'line: code' for every write to the lead table in `source`."""
    found = [node for node in ast.walk(ast.parse(source)) if _writes_lead(node)]
    return [f"{node.lineno}: {ast.unparse(node)[:80]}" for node in found]


def _decides(node) -> bool:
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(
            isinstance(target, ast.Attribute)
            and (
                isinstance(node, ast.AugAssign)
                or (bool(LEAD_NAME.search(ast.unparse(target.value))) and target.attr != "id")
            )
            for target in targets
        )
    if isinstance(node, ast.Call):
        return getattr(node.func, "id", "") == "setattr"
    return isinstance(node, ast.Name) and node.id in ("Stage", "next_team")


def applier_decisions(source: str) -> list[str]:
    """Return 'line: code' for every value the applier sets on a lead itself.

    The applier may apply plans (`plan.apply(lead)`) and record the id the
    database gave a new lead; it assigns no other attribute of a lead, bumps
    nothing and names no stage.
    """
    found = [node for node in ast.walk(ast.parse(source)) if _decides(node)]
    return [f"{node.lineno}: {ast.unparse(node)[:80]}" for node in found]


def project_modules():
    for folder in ("crm", "leads", "chambers", "aftercare", "audit"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, path.read_text(encoding="utf-8")


class DetectorTests(SimpleTestCase):
    """The detectors find the writes they look for (so the guards below can fail)."""

    def test_lead_writes_are_found_in_every_form(self):
        samples = [
            "Lead.objects.filter(pk=1).update(stage='signed')",
            "Lead.objects.bulk_create(rows)",
            "Lead.objects.create(name='x')",
            "lead.save(update_fields=['stage'])",
            "self.locked.save()",
            "bulk_insert(Lead, COLUMNS, rows)",
            "bulk_update(Lead, COLUMNS, rows)",
            'cursor.execute("UPDATE leads_lead SET stage = %s", ["x"])',
            "sql = 'insert into \"leads_lead\" (code) values (%s)'",
        ]
        for sample in samples:
            with self.subTest(sample=sample):
                self.assertEqual(len(lead_writes(sample)), 1)

    def test_other_writes_are_not_taken_for_lead_writes(self):
        samples = [
            "errors.update(other)",
            "Chamber.objects.create(name='x')",
            "activity.save()",
            "bulk_insert(HISTORY, COLUMNS, rows)",
            "'UPDATE leads_stagetransition SET note = %s'",
        ]
        for sample in samples:
            with self.subTest(sample=sample):
                self.assertEqual(lead_writes(sample), [])

    def test_decisions_in_an_applier_are_found(self):
        samples = [
            "step.lead.version += 1",
            "lead.team_id = owners[stage]",
            "setattr(lead, 'stage', 'signed')",
            "reason = Stage(to).label",
            "team = next_team(to_stage=to, current=a, requested=None, owner=b)",
        ]
        for sample in samples:
            with self.subTest(sample=sample):
                self.assertEqual(len(applier_decisions(sample)), 1)
        self.assertEqual(applier_decisions("step.lead.id = ids[step.lead.code]"), [])
        self.assertEqual(applier_decisions("plan.apply(lead)"), [])


class OneWritePathTests(SimpleTestCase):
    def test_only_the_services_and_the_import_applier_write_leads(self):
        writers = {}
        for relative, source in project_modules():
            found = lead_writes(source)
            if found:
                writers[relative] = found
        outside = {
            path: found
            for path, found in writers.items()
            if not path.startswith("leads/services/") and path != APPLIER
        }
        self.assertEqual(outside, {})
        # Both appliers are really seen writing: the detector reads them.
        self.assertIn("leads/services/lifecycle.py", writers)
        self.assertIn(APPLIER, writers)

    def test_the_import_applier_writes_only_values_from_plans(self):
        source = (ROOT / APPLIER).read_text(encoding="utf-8")
        self.assertEqual(applier_decisions(source), [])
        self.assertIn(".apply(lead)", source)
