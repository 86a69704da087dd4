"""The layering holds: no module imports itself back, no top-level package loops."""

from django.test import SimpleTestCase

from crm.architecture import package_cycles, strongly_connected


class ImportCycleTests(SimpleTestCase):
    def test_finder_reports_a_loop_and_ignores_a_chain(self):
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
        self.assertEqual(strongly_connected(edges), [["a", "b", "c"]])
        self.assertEqual(strongly_connected({"a": {"b"}, "b": set()}), [])

    def test_no_module_imports_itself_back(self):
        from crm.architecture import module_cycles

        self.assertEqual(module_cycles(), [])

    def test_no_top_level_packages_import_each_other(self):
        self.assertEqual(package_cycles(), [])
