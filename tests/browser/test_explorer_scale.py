"""Budgets in a real Chromium: a precomputed layout with physics off, and a page over the node budget."""
from __future__ import annotations

import random
from pathlib import Path

import networkx as nx
import pytest

from kg.web.explorer import write_html

pytestmark = pytest.mark.browser

TYPES = ("Agency", "Department", "Initiative", "Task", "Sector", "Person")


def synthetic(n: int, seed: int = 7) -> nx.MultiDiGraph:
    """A scale-free graph of ``n`` entities with CJK labels, ~1.5 edges per node."""
    rng = random.Random(seed)
    base = nx.barabasi_albert_graph(n, 2, seed=seed)
    graph = nx.MultiDiGraph()
    for node in base:
        graph.add_node(f"n{node}", type=rng.choice(TYPES), label=f"实体{node}号", title=f"实体{node}号")
    for u, v in base.edges:
        if rng.random() < 0.75:
            graph.add_edge(f"n{u}", f"n{v}", key="协作", label="协作")
    return graph


def test_browser_large_graph_loads_with_a_precomputed_layout(open_page, tmp_path: Path) -> None:
    graph = synthetic(1800)
    path = tmp_path / "graph.html"
    summary = write_html(graph, path)
    assert summary["physics"] is False and summary["nodes"] == 1800
    page = open_page(path)
    assert page.js("() => ccakg.nodes.length") == 1800
    assert page.js("() => ccakg.network.physics.options.enabled") is False
    assert page.seconds < 30, f"took {page.seconds:.1f} s to draw 1,800 nodes"
    node = "n0"
    assert page.search("实体0号") == node
    assert page.errors == [] and page.blocked == []


def test_browser_over_budget_says_what_was_left_out(open_page, tmp_path: Path) -> None:
    graph = synthetic(2400)
    path = tmp_path / "graph.html"
    summary = write_html(graph, path, max_nodes=2000)
    assert summary["omitted"] == 400
    page = open_page(path)
    assert page.js("() => ccakg.nodes.length") == 2000
    notice = page.js("() => document.getElementById('omitted').textContent")
    assert "省略了 400 个实体" in notice and f"{summary['omitted_edges']} relations" in notice
    assert page.errors == [] and page.blocked == []
