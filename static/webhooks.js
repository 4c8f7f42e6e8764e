// Webhooks on the operator page: a tournament's endpoints (its manage token or the admin's) in the
// tournament view, the server's (the admin token) on the home view, each with its delivery log.
// Self-contained: it adds its own panels and stylesheet; admin.js only imports it.
import { api, getToken } from "./data/api.js";
import { h } from "./draw/dom.js";
import { formatDate as fmtDate } from "./i18n/i18n.js";

const TYPES_FALLBACK = ["match.ready", "match.result", "match.reopened", "participant.added", "participant.disqualified", "tournament.created", "tournament.started", "tournament.completed"];
const REFRESH_MS = 5000;
let types = null;
let timer = null;

(function addStylesheet() {
  document.head.append(h("link", { rel: "stylesheet", href: "/static/webhooks.css" }));
})();

async function catalogue() {
  if (types) return types;
  try {
    const spec = await api("GET", "/openapi.json", undefined, { token: "" });
    types = spec.components.schemas.WebhookIn.properties.types.items.enum.filter((t) => t !== "*");
  } catch {
    types = TYPES_FALLBACK;
  }
  return types;
}

/** The panel for `base` ("/api/v1/tournaments/<tid>" or "/api/v1"), made once, inside `parent`. */
function panelFor(parent, id, title, note) {
  let panel = document.getElementById(id);
  if (!panel) {
    panel = h("section", { id, class: "panel hooks", "aria-labelledby": `${id}-h`, hidden: true },
      h("h2", { id: `${id}-h`, text: title }),
      h("p", { class: "note", text: note }),
      h("div", { class: "hooks-form" }),
      h("p", { class: "msg", role: "status", "aria-live": "polite" }),
      h("div", { class: "hooks-secret" }),
      h("ul", { class: "hooks-list" }),
    );
    parent.append(panel);
  }
  return panel;
}

function say(panel, text, ok = true) {
  const m = panel.querySelector(".msg");
  m.textContent = text;
  m.className = `msg ${ok ? "ok" : "bad"}`;
}

async function show(panel, base) {
  let page;
  try {
    page = await api("GET", `${base}/webhooks`);
  } catch (err) {
    panel.hidden = true; // not this token's to see (a referee's, or not the admin's)
    return;
  }
  panel.hidden = false;
  panel.dataset.base = base;
  const form = panel.querySelector(".hooks-form");
  if (!form.firstChild) form.append(await createForm(panel, base));
  const open = new Set([...panel.querySelectorAll(".hooks-item[data-open='1']")].map((li) => li.dataset.id));
  panel.querySelector(".hooks-list").replaceChildren(...page.items.map((ep) => item(panel, base, ep, open.has(ep.id))));
  if (!page.items.length) panel.querySelector(".hooks-list").append(h("li", { class: "note", text: "No webhooks yet." }));
  for (const li of panel.querySelectorAll(".hooks-item[data-open='1']")) await showLog(li, base);
}

async function createForm(panel, base) {
  const all = await catalogue();
  const boxes = all.map((t) => h("label", { class: "inline" }, h("input", { type: "checkbox", name: "type", value: t }), t));
  const every = h("input", { type: "checkbox", name: "every", checked: true });
  const list = h("fieldset", { class: "hooks-types", disabled: true }, h("legend", { text: "Event types" }), ...boxes);
  every.addEventListener("change", () => (list.disabled = every.checked));
  const form = h("form", { class: "grid" },
    h("label", { class: "wide" }, "URL", h("input", { name: "url", type: "url", required: true, maxlength: "2048", placeholder: "https://discord.com/api/webhooks/… or your bot's URL" })),
    h("label", {}, "Format",
      h("select", { name: "format" },
        h("option", { value: "", text: "automatic" }),
        h("option", { value: "standard", text: "standard (signed JSON)" }),
        h("option", { value: "discord", text: "Discord (a line for people)" }))),
    h("label", {}, "Description", h("input", { name: "description", maxlength: "200" })),
    h("label", { class: "inline" }, every, "Every event type"),
    list,
    h("div", {}, h("button", { type: "submit", text: "Add webhook" })),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const body = { url: String(fd.get("url")).trim(), description: String(fd.get("description") || "") };
    if (fd.get("format")) body.format = fd.get("format");
    if (!every.checked) body.types = fd.getAll("type");
    try {
      const made = await api("POST", `${base}/webhooks`, body);
      form.reset();
      every.checked = true;
      list.disabled = true;
      secretBox(panel, made);
      say(panel, "Webhook added.");
      await show(panel, base);
    } catch (err) {
      say(panel, err.message, false);
    }
  });
  return form;
}

function secretBox(panel, made) {
  const box = panel.querySelector(".hooks-secret");
  box.replaceChildren(
    h("p", { text: `Signing secret of ${made.url} (shown once; your receiver checks the webhook-signature header with it):` }),
    h("p", { class: "share hooks-secret-value", text: made.secret }),
    h("p", { class: "row" }, h("button", { type: "button", class: "secondary", text: "Copy", onclick: async (ev) => {
      try {
        await navigator.clipboard.writeText(made.secret);
        ev.target.textContent = "Copied";
      } catch {
        ev.target.textContent = "Select it and copy it";
      }
    } }), h("button", { type: "button", class: "secondary", text: "Hide", onclick: () => box.replaceChildren() })),
  );
}

function item(panel, base, ep, open) {
  const d = ep.deliveries;
  const li = h("li", { class: `hooks-item${ep.enabled ? "" : " off"}`, dataset: { id: ep.id, open: open ? "1" : "0" } },
    h("p", { class: "hooks-url" }, h("span", { text: ep.url }),
      h("span", { class: "badge", text: ep.format }),
      h("span", { class: `badge ${ep.enabled ? "hooks-on" : "hooks-off"}`, text: ep.enabled ? "enabled" : "disabled" })),
    ep.description ? h("p", { class: "note", text: ep.description }) : null,
    h("p", { class: "meta", text: `${ep.types.includes("*") ? "every event type" : ep.types.join(", ")} · ${d.delivered} delivered · ${d.pending} waiting · ${d.failed} failed` }),
    ep.disabled_reason ? h("p", { class: "msg bad", text: `Disabled: ${ep.disabled_reason}` }) : null,
    h("p", { class: "row" },
      h("button", { type: "button", class: "secondary", text: open ? "Hide the log" : "Delivery log", onclick: () => {
        li.dataset.open = li.dataset.open === "1" ? "0" : "1";
        show(panel, base);
      } }),
      h("button", { type: "button", class: "secondary", text: ep.enabled ? "Disable" : "Enable (send what waited)", onclick: () => act(panel, base, "PATCH", ep, { enabled: !ep.enabled }) }),
      h("button", { type: "button", class: "secondary", text: "Delete", onclick: () => confirm(`Delete the webhook to ${ep.url}? Its waiting deliveries are dropped.`) && act(panel, base, "DELETE", ep) }),
    ),
    h("div", { class: "hooks-log" }),
  );
  return li;
}

async function act(panel, base, method, ep, body) {
  try {
    await api(method, `${base}/webhooks/${encodeURIComponent(ep.id)}`, body);
    say(panel, method === "DELETE" ? "Webhook deleted." : body.enabled ? "Enabled: what waited is being sent." : "Disabled.");
  } catch (err) {
    say(panel, err.message, false);
  }
  await show(panel, base);
}

async function showLog(li, base) {
  const box = li.querySelector(".hooks-log");
  let page;
  try {
    page = await api("GET", `${base}/webhooks/${encodeURIComponent(li.dataset.id)}/deliveries?limit=20`);
  } catch (err) {
    box.replaceChildren(h("p", { class: "msg bad", text: err.message }));
    return;
  }
  if (!page.items.length) {
    box.replaceChildren(h("p", { class: "note", text: "Nothing sent yet." }));
    return;
  }
  const row = (x) => h("tr", { class: `hooks-${x.status}` },
    h("td", { text: fmtDate(x.created_at) }),
    h("td", { text: x.type }),
    h("td", { class: "hooks-status", text: x.status }),
    h("td", { text: String(x.attempts) }),
    h("td", { class: "hooks-error", text: x.last_error || (x.last_status ? `HTTP ${x.last_status}` : "") }),
    h("td", { text: x.next_attempt_at ? fmtDate(x.next_attempt_at) : "" }),
  );
  box.replaceChildren(h("div", { class: "scroller" }, h("table", { class: "standings hooks-table" },
    h("caption", { text: "The 20 newest deliveries" }),
    h("thead", {}, h("tr", {}, ...["Made", "Type", "Status", "Attempts", "Last answer", "Next attempt"].map((t) => h("th", { class: "left", text: t })))),
    h("tbody", {}, page.items.map(row)),
  )));
}

function route() {
  const m = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  const tour = document.getElementById("tour");
  const home = document.getElementById("home");
  if (!tour || !home) return;
  const tp = panelFor(tour, "hooks-t", "Webhooks", "Messages to your bots and chat channels as the tournament moves (match ready, result, start, end…), signed (Standard Webhooks), retried for a day, in order.");
  const sp = panelFor(home, "hooks-s", "Server webhooks", "Endpoints that hear every tournament on this server (admin).");
  if (!getToken() || document.body.classList.contains("as-referee")) {
    tp.hidden = sp.hidden = true; // signed out, or a referee's token: none of it is theirs
    return;
  }
  if (m) {
    sp.hidden = true;
    show(tp, `/api/v1/tournaments/${encodeURIComponent(decodeURIComponent(m[1]))}`);
  } else {
    tp.hidden = true;
    show(sp, "/api/v1");
  }
}

function refresh() {
  for (const panel of document.querySelectorAll(".panel.hooks")) if (!panel.hidden && panel.dataset.base && document.visibilityState === "visible") show(panel, panel.dataset.base);
}

window.addEventListener("hashchange", route);
window.addEventListener("storage", route); // signed in or out in another tab
window.addEventListener("tourney:signed-in", route); // the operator page checked a token
document.getElementById("signin-form")?.addEventListener("submit", () => setTimeout(route));
document.getElementById("signout")?.addEventListener("click", () => setTimeout(route));
timer = timer || setInterval(refresh, REFRESH_MS);
route();
