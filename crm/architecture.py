"""Import cycles between the project's modules and between its top-level packages.

`python manage.py check_imports` prints them; `tests/test_architecture.py`
fails on any. Imports inside functions count too: a cycle broken by a local
import is still a cycle in the design.
"""

from __future__ import annotations

from collections.abc import Iterable

PACKAGES = ("crm", "leads", "chambers", "audit", "aftercare")


def import_graph(packages: Iterable[str] = PACKAGES) -> dict[str, set[str]]:
    """Return module → modules it imports, within `packages` (tests and migrations left out)."""
    import grimp

    graph = grimp.build_graph(*packages, cache_dir=None)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        if ".migrations" in module:
            continue
        edges[module] = {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if ".migrations" not in imported
        }
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return every group of two or more nodes that import one another (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:
        nonlocal counter
        # Iterative depth-first search: the module graph is deep enough to
        # trouble the recursion limit.
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(groups)


def package_of(module: str) -> str:
    """Return the unit a module belongs to for the package-level check.

    The top-level package, except that the project shell's root modules
    (settings, URLs, WSGI) compose the apps and are left out.
    """
    return module.split(".")[0]


ROOT_MODULES = {"crm.urls", "crm.settings", "crm.test_settings", "crm.wsgi", "crm.asgi"}


def module_cycles() -> list[list[str]]:
    """Return the groups of modules that import each other, directly or not."""
    return strongly_connected(import_graph())


def package_cycles() -> list[list[str]]:
    """Return the groups of top-level packages that import each other."""
    edges: dict[str, set[str]] = {}
    for module, imported in import_graph().items():
        if module in ROOT_MODULES:
            continue
        source = package_of(module)
        edges.setdefault(source, set())
        for target in imported:
            if package_of(target) != source:
                edges[source].add(package_of(target))
    return strongly_connected(edges)
