"""Print the import graph of qoffice between its layers (a Mermaid diagram for docs/architecture.md).

Built with grimp, import-linter's graph library, so imports inside functions count too; an arrow's
label is how many module-to-module imports it stands for.

    .venv/bin/python tools/import_graph.py
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def layer_edges() -> dict[tuple[str, str], int]:
    import grimp

    graph = grimp.build_graph("qoffice", cache_dir=None)

    def layer(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else "qoffice"

    edges: collections.Counter = collections.Counter()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = layer(module), layer(imported)
            if a != b and "qoffice" not in (a, b):
                edges[(a, b)] += 1
    return dict(sorted(edges.items()))


def mermaid() -> str:
    lines = ["```mermaid", "flowchart TD"]
    def node(name: str) -> str:
        ident = name if not name.startswith("_") else "dunder" + name.strip("_")
        return f'{ident}["{name}"]'

    for (a, b), n in layer_edges().items():
        lines.append(f"    {node(a)} -->|{n}| {node(b)}")
    lines.append("```")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(mermaid())
