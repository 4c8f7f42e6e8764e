// /admin: the operator pages. Signed in with a token kept in localStorage; /admin?token=...#t=tid
// stores the token, strips it from the address, and opens that tournament (a referee's link).
import { api, fmtNumber, formatName, getToken, h, setToken, STATE_NAMES } from "./common.js";
import { Board, champion, matchLabel } from "./bracket.js";
import { LiveTournament } from "./live.js";
import "./webhooks.js";

const $ = (id) => document.getElementById(id);
const RECENT_KEY = "tourney.recent";
const T = (tid) => `/api/v1/tournaments/${encodeURIComponent(tid)}`;

let live = null;
let board = null;
let current = null; // the match open in the dialog

// --- sign-in -----------------------------------------------------------------------------
(function takeTokenFromUrl() {
  const u = new URL(location.href);
  const tok = u.searchParams.get("token");
  if (tok) {
    setToken(tok);
    u.searchParams.delete("token");
    history.replaceState(null, "", u.pathname + (u.search || "") + u.hash);
  }
})();

function flash(text, ok = true) {
  const f = $("flash");
  f.textContent = text;
  f.className = `msg ${ok ? "ok" : "bad"}`;
}

function showAuth() {
  const tok = getToken();
  $("signin").hidden = !!tok;
  $("signout").hidden = !tok;
  $("who").textContent = tok ? `Signed in with a token ending …${tok.slice(-4)}` : "Not signed in";
}

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  setToken($("token").value.trim());
  $("token").value = "";
  showAuth();
  route();
});
$("signout").addEventListener("click", () => {
  setToken("");
  showAuth();
  flash("Signed out.");
});

function recent() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
  } catch {
    return [];
  }
}
function remember(t) {
  const list = recent().filter((x) => x.id !== t.id);
  list.unshift({ id: t.id, name: t.name });
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, 30)));
  } catch {
    /* no storage */
  }
}

// --- home: create and list -----------------------------------------------------------------
async function loadFormats() {
  let formats = ["single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs"];
  try {
    const spec = await api("GET", "/openapi.json", undefined, { token: "" });
    formats = spec.components.schemas.TournamentIn.properties.format.enum;
  } catch {
    /* keep the defaults */
  }
  const order = ["single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs"];
  formats = [...formats].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  $("format").replaceChildren(...formats.map((f) => h("option", { value: f, text: formatName(f) })));
  showSettings();
}

function showSettings() {
  const f = $("format").value;
  for (const el of document.querySelectorAll("#create-form [data-for]")) el.hidden = !el.dataset.for.split(" ").includes(f);
}
$("format").addEventListener("change", showSettings);

function settingsFrom(form) {
  const fd = new FormData(form);
  const f = fd.get("format");
  const s = {};
  const num = (k) => (fd.get(k) ? Number(fd.get(k)) : undefined);
  if (f === "single_elimination" || f === "double_elimination") {
    s.best_of = num("best_of");
    s.seed_ordering = fd.get("seed_ordering");
    if (f === "single_elimination") s.third_place_match = fd.get("third_place_match") === "on";
    else s.grand_final = fd.get("grand_final");
  } else if (f === "round_robin") {
    s.group_count = num("group_count");
    s.legs = num("legs");
  } else if (f === "swiss") {
    if (num("rounds")) s.rounds = num("rounds");
  } else if (f === "groups_playoffs") {
    s.group_count = num("group_count");
    s.advance = num("advance");
    s.group_stage = { format: fd.get("group_stage") };
    s.playoff = { format: fd.get("playoff"), best_of: num("best_of") };
  }
  const extra = String(fd.get("extra") || "").trim();
  if (extra) Object.assign(s, JSON.parse(extra));
  for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
  return s;
}

$("create-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  const fd = new FormData(form);
  try {
    const body = { name: String(fd.get("name")).trim(), format: fd.get("format"), visibility: fd.get("visibility"), settings: settingsFrom(form) };
    const t = await api("POST", "/api/v1/tournaments", body);
    remember(t);
    flash(`Created “${t.name}”. Add the participants, then start it.`);
    form.reset();
    showSettings();
    location.hash = `t=${encodeURIComponent(t.id)}`;
  } catch (err) {
    flash(err instanceof SyntaxError ? `More settings: not JSON (${err.message})` : `Could not create: ${err.message}`, false);
  }
});

async function loadList() {
  const items = new Map(recent().map((t) => [t.id, { ...t, state: null }]));
  try {
    const page = await api("GET", "/api/v1/tournaments?limit=100");
    for (const t of page.items) items.set(t.id, t);
  } catch {
    /* the recent ones still show */
  }
  $("tlist").replaceChildren(
    ...[...items.values()].map((t) =>
      h(
        "li",
        {},
        h("a", { href: `#t=${encodeURIComponent(t.id)}`, text: t.name }),
        t.state ? h("span", { class: `badge st-${t.state}`, text: STATE_NAMES[t.state] || t.state }) : null,
        t.format ? h("p", { class: "meta", text: formatName(t.format) }) : null,
      ),
    ),
  );
}

// --- one tournament ------------------------------------------------------------------------
function route() {
  const m = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  if (live) {
    live.stop();
    live = null;
  }
  $("conn").hidden = true;
  if (m) openTournament(decodeURIComponent(m[1]));
  else {
    $("home").hidden = false;
    $("tour").hidden = true;
    document.title = "Operator · tourney";
    loadList();
  }
}
window.addEventListener("hashchange", route);

function openTournament(tid) {
  $("home").hidden = true;
  $("tour").hidden = false;
  $("t-name").textContent = "Loading…";
  board = board || new Board($("board"), { onMatch: openMatch });
  live = new LiveTournament(tid);
  live.addEventListener("snapshot", (e) => drawTournament(e.detail));
  live.addEventListener("matches", (e) => {
    for (const m of e.detail) if (!board.updateMatch(m)) board.render(live.t);
    drawHeader(live.t);
    if (current && e.detail.some((m) => m.id === current)) refreshDialog();
  });
  live.addEventListener("status", (e) => {
    $("conn").hidden = false;
    $("conn").className = `conn conn-${e.detail}`;
    $("conn-text").textContent = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", offline: "Offline" }[e.detail];
  });
  live.start().catch((err) => {
    $("t-name").textContent = "Tournament unavailable";
    flash(err.status === 404 ? "There is no such tournament." : `Could not open it: ${err.message}`, false);
  });
}

function drawHeader(t) {
  const champ = champion(t, null);
  const champName = champ ? t.participants.find((p) => p.id === champ)?.name : null;
  $("t-name").textContent = t.name;
  document.title = `${t.name} · Operator · tourney`;
  const c = t.matches.reduce((a, m) => ((a[m.state] = (a[m.state] || 0) + 1), a), {});
  $("t-meta").textContent = [
    formatName(t.format),
    STATE_NAMES[t.state] || t.state,
    `${t.participants.length} participants`,
    t.matches.length ? `${c.complete || 0} of ${t.matches.length} matches done, ${c.ready || 0} ready, ${c.live || 0} live` : null,
    champName ? `Champion: ${champName}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

function drawTournament(t) {
  remember(t);
  drawHeader(t);
  const id = encodeURIComponent(t.id);
  $("t-view").href = `/t/${id}`;
  $("t-overlay").href = `/t/${id}?overlay=1`;
  $("t-api").href = T(t.id);
  const pending = t.state === "pending";
  $("add-one").hidden = !pending;
  $("add-many").closest("details").hidden = !pending;
  $("seed-note").hidden = !pending;
  $("start").hidden = !pending;
  $("p-h").textContent = `Participants (${t.participants.length})`;
  drawSeeds(t, pending);
  $("m-panel").hidden = t.state === "pending";
  if (t.state !== "pending") board.render(t);
  if (current) refreshDialog();
}

function drawSeeds(t, editable) {
  const ps = [...t.participants].sort((a, b) => a.seed - b.seed);
  const ol = $("seeds");
  ol.replaceChildren(
    ...ps.map((p, i) => {
      const li = h(
        "li",
        { draggable: editable ? "true" : "false", dataset: { pid: p.id } },
        editable ? h("span", { class: "grip", "aria-hidden": "true", text: "⋮⋮" }) : null,
        h("span", { class: "seed", text: p.seed }),
        h("span", { class: "nm", text: p.name }),
        p.rating !== null && p.rating !== undefined ? h("span", { class: "note", text: `rating ${fmtNumber(p.rating)}` }) : null,
        p.status && p.status !== "active" ? h("span", { class: "badge", text: p.status }) : null,
        editable ? h("button", { type: "button", class: "secondary", "aria-label": `Move ${p.name} up`, disabled: i === 0, onclick: () => reseed(p.id, p.seed - 1), text: "↑" }) : null,
        editable ? h("button", { type: "button", class: "secondary", "aria-label": `Move ${p.name} down`, disabled: i === ps.length - 1, onclick: () => reseed(p.id, p.seed + 1), text: "↓" }) : null,
        editable ? h("button", { type: "button", class: "secondary", "aria-label": `Remove ${p.name}`, onclick: () => removeParticipant(p), text: "✕" }) : null,
        !editable && live.t.state === "underway" && p.status === "active"
          ? h("button", { type: "button", class: "secondary", "aria-label": `Disqualify ${p.name}`, onclick: () => disqualify(p), text: "Disqualify" })
          : null,
      );
      return li;
    }),
  );
  $("start-note").textContent = ps.length < 2 ? "Add at least two participants." : "";
}

// Drag and drop of seeds: the dragged row moves to the seed of the row it is dropped on.
let dragged = null;
$("seeds").addEventListener("dragstart", (e) => {
  const li = e.target.closest("li");
  if (!li) return;
  dragged = li.dataset.pid;
  li.classList.add("dragging");
  e.dataTransfer.effectAllowed = "move";
  e.dataTransfer.setData("text/plain", dragged);
});
$("seeds").addEventListener("dragend", (e) => {
  e.target.closest("li")?.classList.remove("dragging");
  document.querySelectorAll(".drop-before").forEach((x) => x.classList.remove("drop-before"));
});
$("seeds").addEventListener("dragover", (e) => {
  const li = e.target.closest("li");
  if (!li || !dragged) return;
  e.preventDefault();
  document.querySelectorAll(".drop-before").forEach((x) => x.classList.remove("drop-before"));
  li.classList.add("drop-before");
});
$("seeds").addEventListener("drop", (e) => {
  e.preventDefault();
  const li = e.target.closest("li");
  const pid = dragged || e.dataTransfer.getData("text/plain");
  dragged = null;
  if (!li || !pid || li.dataset.pid === pid) return;
  const target = live.t.participants.find((p) => p.id === li.dataset.pid);
  if (target) reseed(pid, target.seed);
});

async function act(fn, ok) {
  try {
    const r = await fn();
    if (ok) flash(ok);
    return r;
  } catch (err) {
    flash(err.message, false);
    return null;
  }
}

async function reseed(pid, seed) {
  if (seed < 1) return;
  const r = await act(() => api("PATCH", `${T(live.tid)}/participants/${encodeURIComponent(pid)}`, { seed }));
  if (r) await live.refetch();
}

async function removeParticipant(p) {
  if (await act(() => api("DELETE", `${T(live.tid)}/participants/${encodeURIComponent(p.id)}`), `Removed ${p.name}.`)) await live.refetch();
}

async function disqualify(p) {
  if (!confirm(`Disqualify ${p.name}? They forfeit every match they have left.`)) return;
  await act(() => api("POST", `${T(live.tid)}/participants/${encodeURIComponent(p.id)}/disqualify`), `${p.name} is disqualified.`);
}

/** "name" or "name,rating" per line, commas or tabs; quotes around a field are removed. */
export function parseList(text) {
  const out = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const cols = line.split(/\t|,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((c) => c.trim().replace(/^"(.*)"$/, "$1").replace(/""/g, '"'));
    if (!out.length && /^name$/i.test(cols[0])) continue;
    const p = { name: cols[0] };
    if (cols[1] !== undefined && cols[1] !== "" && !isNaN(Number(cols[1]))) p.rating = Number(cols[1]);
    if (p.name) out.push(p);
  }
  return out;
}

$("add-one").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = e.target.elements.name;
  const name = input.value.trim();
  if (!name) return;
  if (await act(() => api("POST", `${T(live.tid)}/participants`, { name }), `Added ${name}.`)) {
    input.value = "";
    input.focus();
    await live.refetch();
  }
});
$("add-many").addEventListener("submit", async (e) => {
  e.preventDefault();
  const ta = e.target.elements.list;
  const list = parseList(ta.value);
  if (!list.length) return flash("Nothing to add: type one name per line.", false);
  if (await act(() => api("POST", `${T(live.tid)}/participants`, list), `Added ${list.length} participants.`)) {
    ta.value = "";
    await live.refetch();
  }
});
$("csv-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) $("add-many").elements.list.value = await file.text();
});
$("start").addEventListener("click", async () => {
  if (await act(() => api("POST", `${T(live.tid)}/start`), "Started: the draw is made.")) await live.refetch();
});

$("token-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const fd = new FormData(e.target);
  const r = await act(() => api("POST", "/api/v1/tokens", { tournament_id: live.tid, scope: fd.get("scope"), label: fd.get("label") || "referee" }));
  if (!r) return;
  const link = `${location.origin}/admin?token=${encodeURIComponent(r.token)}#t=${encodeURIComponent(live.tid)}`;
  const out = h("div", { class: "panel" },
    h("p", { text: `A ${r.scope} link “${r.label || ""}” (shown once, keep it safe):` }),
    h("p", { class: "share link-out", text: link }),
    h("p", { class: "row" },
      h("button", { type: "button", class: "secondary", onclick: async (ev) => {
        try {
          await navigator.clipboard.writeText(link);
          ev.target.textContent = "Copied";
        } catch {
          ev.target.textContent = "Select the link and copy it";
        }
      }, text: "Copy" }),
      h("button", { type: "button", class: "secondary", onclick: async (ev) => {
        if (await act(() => api("DELETE", `/api/v1/tokens/${encodeURIComponent(r.id)}`), "Revoked.")) ev.target.closest(".panel").remove();
      }, text: "Revoke" }),
    ),
  );
  $("links").prepend(out);
});

// --- the match dialog: results, live scores, reopen ----------------------------------------
function openMatch(m) {
  if (!m) return;
  current = m.id;
  $("mdlg-msg").textContent = "";
  refreshDialog();
  if (!$("mdlg").open) $("mdlg").showModal();
}
$("mdlg").addEventListener("close", () => {
  current = null;
});

function pname(pid) {
  return live.t.participants.find((p) => p.id === pid)?.name || "TBD";
}

function dmsg(text, ok = true) {
  $("mdlg-msg").textContent = text;
  $("mdlg-msg").className = `msg ${ok ? "ok" : "bad"}`;
}

function refreshDialog() {
  const m = live.t.matches.find((x) => x.id === current);
  if (!m) return;
  const [a, b] = m.slots.map((s) => s.participant_id);
  $("mdlg-h").textContent = `${matchLabel(m)}: ${pname(a)} v ${pname(b)}`;
  $("mdlg-meta").textContent = `${m.state}${m.result ? ` · ${m.result}` : ""}${m.scores ? ` · ${m.scores.map(fmtNumber).join(" – ")}` : ""}${m.best_of > 1 ? ` · best of ${m.best_of}` : ""}`;
  const body = $("mdlg-body");
  const focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement.id : null;
  if (m.state === "ready" || m.state === "live") {
    const keep = (i) => {
      const el = document.getElementById(`score-${i}`);
      return el && el.dataset.mid === m.id ? el.value : m.scores ? fmtNumber(m.scores[i]) : "0";
    };
    const s0 = keep(0);
    const s1 = keep(1);
    const in0 = h("input", { id: "score-0", type: "number", min: "0", step: "any", value: s0, dataset: { mid: m.id } });
    const in1 = h("input", { id: "score-1", type: "number", min: "0", step: "any", value: s1, dataset: { mid: m.id } });
    const scores = () => [Number(in0.value || 0), Number(in1.value || 0)];
    body.replaceChildren(
      h("div", { class: "scoreline" }, h("label", { for: "score-0", text: pname(a) }), in0, h("label", { for: "score-1", text: pname(b) }), in1),
      h("p", { class: "row" },
        h("button", { type: "button", id: "btn-live", class: "secondary", onclick: () => send("live", { scores: scores() }, "Live score sent."), text: "Send live score" }),
        h("button", { type: "button", id: "btn-result", onclick: () => send("result", { scores: scores() }, "Result reported."), text: "Report result" }),
      ),
      h("details", {},
        h("summary", { text: "Winner without a score, or a forfeit" }),
        h("p", { class: "row" },
          h("button", { type: "button", class: "secondary", onclick: () => send("result", { winner_id: a }, "Result reported."), text: `${pname(a)} wins` }),
          h("button", { type: "button", class: "secondary", onclick: () => send("result", { winner_id: b }, "Result reported."), text: `${pname(b)} wins` }),
        ),
        h("p", { class: "row" },
          h("button", { type: "button", class: "secondary", onclick: () => send("result", { forfeit: a }, "Forfeit recorded."), text: `${pname(a)} forfeits` }),
          h("button", { type: "button", class: "secondary", onclick: () => send("result", { forfeit: b }, "Forfeit recorded."), text: `${pname(b)} forfeits` }),
        ),
      ),
    );
  } else if (m.state === "complete" && m.result !== "bye") {
    body.replaceChildren(
      h("p", { text: m.winner_id ? `${pname(m.winner_id)} won.` : "A draw." }),
      h("p", { class: "row" }, h("button", { type: "button", id: "btn-preview", class: "secondary", onclick: () => previewReopen(m), text: "Reopen…" })),
      h("div", { id: "reopen-preview" }),
    );
  } else {
    body.replaceChildren(h("p", { text: m.result === "bye" ? "A bye: nothing to report." : "Waiting for both participants." }));
  }
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

async function send(kind, body, ok) {
  const mid = current;
  try {
    await api("POST", `${T(live.tid)}/matches/${encodeURIComponent(mid)}/${kind}`, body);
    dmsg(ok);
    if (kind === "result") {
      const m = live.t.matches.find((x) => x.id === mid);
      if (m && m.state !== "complete") await live.refetch();
    }
  } catch (err) {
    dmsg(err.message, false);
  }
}

async function previewReopen(m) {
  const box = $("reopen-preview");
  try {
    const r = await api("POST", `${T(live.tid)}/matches/${encodeURIComponent(m.id)}/reopen?dry_run=1`);
    const byId = new Map(live.t.matches.map((x) => [x.id, x]));
    const labels = (r.reset || []).map((id) => {
      const x = byId.get(id);
      return x ? `${matchLabel(x)} (${x.slots.map((s) => pname(s.participant_id)).join(" v ")})` : id;
    });
    box.replaceChildren(
      h("p", { text: `Reopening resets ${labels.length} match${labels.length === 1 ? "" : "es"}:` }),
      h("ul", { class: "reset-list" }, labels.map((l) => h("li", { text: l }))),
      h("p", {}, h("button", { type: "button", id: "btn-reopen", class: "danger", onclick: () => send("reopen", undefined, "Reopened."), text: `Reopen ${labels.length} match${labels.length === 1 ? "" : "es"}` })),
    );
  } catch (err) {
    dmsg(err.message, false);
  }
}

showAuth();
loadFormats();
route();
