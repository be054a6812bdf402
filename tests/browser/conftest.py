"""Drive the explorer page in a real Chromium (Debian's, through the playwright package; no downloaded browser).

Every explorer page is opened from a file:// URL, every page of ``ccakg serve`` from its loopback server,
with every other request aborted and counted, console messages, page errors and dialogs recorded. Without chromium these tests fail when ``CI`` is set (``.ci/run``
installs it) and are skipped otherwise.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
READY_TIMEOUT_MS = 60_000


def _unavailable(reason: str) -> None:
    message = f"the browser tests cannot run: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: .ci/run installs chromium and fonts-noto-cjk as root)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        _unavailable("no chromium on PATH; install Debian's: apt-get install chromium fonts-noto-cjk")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing; pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Loaded:
    """An explorer page, opened and ready, with what it did while loading and since."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)   # every request the page made
    blocked: list[str] = field(default_factory=list)    # requests for anything but a file:// URL (aborted)
    seconds: float = 0.0

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait_stable(self) -> None:
        """Until live physics has come to rest (at once when physics is off)."""
        self.page.wait_for_function("() => !ccakg.meta.physics || ccakg.stable === true", timeout=READY_TIMEOUT_MS)

    def node_point(self, node_id: str) -> tuple[float, float]:
        """Where a node is drawn, in page coordinates."""
        x, y = self.js("""(id) => {
            const net = ccakg.network, dom = net.canvasToDOM(net.getPositions([id])[id]);
            const box = document.querySelector("#network canvas").getBoundingClientRect();
            return [box.left + dom.x, box.top + dom.y]; }""", node_id)
        return x, y

    def zoom_to(self, node_id: str, scale: float = 1.5) -> tuple[float, float]:
        self.js("""([id, scale]) => ccakg.network.moveTo({position: ccakg.network.getPositions([id])[id],
                                                           scale: scale})""", [node_id, scale])
        self.page.wait_for_timeout(100)
        return self.node_point(node_id)

    def search(self, text: str) -> str | None:
        """Type ``text`` in the search box and press Enter; return the node the page focused."""
        self.page.fill("#search-text", text)
        self.page.press("#search-text", "Enter")
        self.page.wait_for_timeout(500)  # the focus animation
        return self.js("() => ccakg.selected")


def load(browser: Any, contexts: list, url: str, allowed: Callable[[str], bool]) -> Loaded:
    """Open ``url`` in a new context and wait until the page says ``ccakgReady``; requests for a URL that
    ``allowed`` refuses are aborted and recorded in ``blocked``."""
    import time

    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="zh-CN")
    contexts.append(context)
    page = context.new_page()
    loaded = Loaded(page)

    def route(route: Any) -> None:
        if allowed(route.request.url):
            route.continue_()
        else:
            loaded.blocked.append(route.request.url)
            route.abort()

    def dialog(d: Any) -> None:
        loaded.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    context.route("**/*", route)
    page.on("console", lambda m: loaded.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: loaded.errors.append(str(e)))
    page.on("dialog", dialog)
    context.on("request", lambda r: loaded.requests.append(r.url))
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function("() => window.ccakgReady === true", timeout=READY_TIMEOUT_MS)
    loaded.seconds = time.perf_counter() - started
    return loaded


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Loaded]]:
    """Open an explorer page (a file, with an optional URL fragment) and wait until it is drawn; contexts are
    closed afterwards."""
    contexts: list = []

    def opener(path: Path, fragment: str = "") -> Loaded:
        url = Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")
        return load(browser, contexts, url, lambda asked: asked.startswith("file://"))

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def open_served(browser: Any) -> Iterator[Callable[[str], Loaded]]:
    """Open a page of ``ccakg serve`` (a URL) and wait until it is ready; only its own origin is reachable."""
    contexts: list = []

    def opener(url: str) -> Loaded:
        origin = url.split("/", 3)[:3]
        return load(browser, contexts, url, lambda asked: asked.split("/", 3)[:3] == origin)

    yield opener
    for context in contexts:
        context.close()


def page_and_graph(out: Path) -> tuple[Path, nx.MultiDiGraph]:
    """A build's explorer page and the graph it draws (the tests compare the page with it)."""
    from kg.web.explorer import graph_view, open_store

    return out / "graph.html", graph_view(open_store(out / "store"))


def the(graph: nx.MultiDiGraph, name: str) -> str:
    """The one node of ``graph`` named ``name``."""
    from kg.web.explorer import find_nodes

    [node] = find_nodes(graph, name)
    return node


@pytest.fixture(scope="module")
def examples_graph(examples_build) -> tuple[Path, nx.MultiDiGraph]:
    """The explorer page of examples/corpus and the graph it draws (shared by the example-page tests)."""
    out, _ = examples_build
    return page_and_graph(out)
