"""No cycles between the modules of eduapp (imports inside functions count too): a cycle means neither
module can be read, tested or moved without the other. The layer contracts themselves are import-linter's
(pyproject.toml, ``lint-imports``); import-linter's acyclic_siblings contract compares whole sibling
packages, not modules, so this test walks grimp's graph (import-linter's own) module by module."""

from __future__ import annotations

from collections import deque

import grimp
import pytest

# Imports known to close a cycle, each removed from the graph before the check. Drop an entry when the
# branch that removes the import lands (the test fails once an entry no longer exists).
ALLOWED_IMPORTS: set[tuple[str, str]] = set()

# Cycles that were there before this test and are not yet broken, each as the set of modules it may span
# (a frozenset of module names): a cycle reaching any other module fails. None is left: the reminder scans
# share services.reminder_due, and the offset modules share services.offset_common and offset_inputs.
ALLOWED_CYCLES: list[frozenset[str]] = []


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("eduapp", cache_dir=None)
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components, iteratively; only those of two modules or more (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def a_cycle(edges: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest cycle through the component's first module, as the chain of imports to print."""
    start = min(component)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node] & component):
            if child == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(previous[chain[-1]])
                return [*reversed(chain), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return sorted(component)


def test_the_allowed_imports_still_exist(imports):
    gone = sorted(pair for pair in ALLOWED_IMPORTS if pair[1] not in imports.get(pair[0], set()))
    assert not gone, f"no longer imported, drop from ALLOWED_IMPORTS: {gone}"


def test_no_cycles_between_modules(imports):
    edges = {module: {m for m in imported if m in imports and (module, m) not in ALLOWED_IMPORTS}
             for module, imported in imports.items()}
    cycles = [component for component in strongly_connected(edges)
              if not any(component <= allowed for allowed in ALLOWED_CYCLES)]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(a_cycle(edges, c)) for c in cycles)


def test_the_check_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(edges) == [{"a", "b", "c"}]
    assert a_cycle(edges, {"a", "b", "c"}) == ["a", "b", "c", "a"]
