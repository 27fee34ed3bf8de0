"""No import cycles among the project's modules (annotation-only imports aside).

A cycle makes a module impossible to understand or test without the other; the layers
contracts in pyproject.toml keep the packages in order, this keeps the modules acyclic,
including imports made inside functions.
"""

import grimp


def _cycles(graph):
    seen, found = set(), []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                key = frozenset(back)
                if key not in seen:
                    seen.add(key)
                    found.append(" -> ".join((importer, *back)))
    return found


def test_no_import_cycles():
    graph = grimp.build_graph("workbench", "ui", include_external_packages=False, exclude_type_checking_imports=True)
    assert len(graph.modules) > 100
    assert _cycles(graph) == []


def test_the_check_sees_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "cyclic_probe"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from cyclic_probe import b\n    return b\n")
    (pkg / "b.py").write_text("from cyclic_probe import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic_probe", include_external_packages=False, cache_dir=None)
    assert _cycles(graph) == ["cyclic_probe.a -> cyclic_probe.b -> cyclic_probe.a"]
