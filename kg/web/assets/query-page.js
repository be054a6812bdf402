/* The ccakg query page: YASGUI on this server's /query, the saved queries, links to the evidence pages.
   Everything is loaded from this server: the class and property completers of YASQE (which ask a web
   service) are off, and prefix completion reads ccakg's own prefixes from /prefixes.json. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("ccakg-config").textContent);
  const endpoint = window.location.origin + "/query";
  /* Only completers that need no web service: the configuration cannot take the others out (YASQE merges
     it into its defaults item by item), so they are taken out of the defaults themselves. */
  const offline = ["variables", "prefixes"];
  const completers = Yasgui.Yasqe.defaults.autocompleters;
  completers.splice(0, completers.length, ...completers.filter((name) => offline.includes(name)));

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: {
      value: config.example,
      prefixCcApi: window.location.origin + config.prefixesPath,
    },
    yasr: { prefixes: config.prefixes },
  });

  /* An entity's IRI in the results opens its evidence page (a new tab). */
  function linkEntities(root) {
    root.querySelectorAll("a.iri").forEach((link) => {
      const iri = link.getAttribute("href") || "";
      if (!iri.startsWith(config.entityBase)) return;
      link.setAttribute("href", config.entityPath + "?iri=" + encodeURIComponent(iri));
      link.setAttribute("target", "_blank");
      link.setAttribute("rel", "noopener");
      link.setAttribute("title", "the evidence of " + iri);
      link.classList.add("entity");
    });
  }
  const results = document.getElementById("yasgui");
  new MutationObserver(() => linkEntities(results)).observe(results, { childList: true, subtree: true });
  linkEntities(results);

  /* The saved queries: a list; choosing one shows its parameters and fills the editor. */
  const form = document.getElementById("saved-form");
  const fields = document.getElementById("saved-params");
  const problem = document.getElementById("saved-error");
  let chosen = null;

  function field(param) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = param.name;
    const input = document.createElement("input");
    input.name = param.name;
    input.value = param.default === null ? "" : param.default;
    input.required = param.default === null;
    if (param.integer) input.inputMode = "numeric";
    const help = document.createElement("small");
    help.textContent = param.description;
    label.append(name, input, help);
    return label;
  }

  function choose(query, button) {
    chosen = query;
    document.querySelectorAll("#saved-list button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    document.getElementById("saved-title").textContent = query.title;
    document.getElementById("saved-answers").textContent = query.answers;
    fields.replaceChildren(...query.params.map(field));
    problem.textContent = "";
    form.hidden = false;
    if (query.params.every((p) => p.default !== null)) fill(true);
  }

  async function fill(run) {
    const values = new URLSearchParams();
    fields.querySelectorAll("input").forEach((input) => values.append(input.name, input.value));
    const response = await fetch(config.savedPath + encodeURIComponent(chosen.name) + "?" + values.toString());
    const text = await response.text();
    if (!response.ok) {
      problem.textContent = text;
      return;
    }
    problem.textContent = "";
    const tab = yasgui.getTab();
    tab.setQuery(text);
    tab.setName(chosen.name);
    if (run) tab.query().catch(() => {});
  }

  const list = document.getElementById("saved-list");
  config.saved.forEach((query) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.name = query.name;
    button.textContent = query.title;
    button.title = query.name + ": " + query.answers;
    button.addEventListener("click", () => choose(query, button));
    item.append(button);
    list.append(item);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fill(true);
  });

  window.ccakg = { yasgui: yasgui, config: config };
  window.ccakgReady = true;
})();
