// The director's panel of a Swiss on the operator page: the next round paired when the
// director asks (after a preview), the last round paired again, deleted or two players swapped
// until its first result (with the warnings a swap brings), the players' withdrawals, returns,
// byes and late entries, and what a club prints and files (round sheets, standings, TRF).
import { $, h } from "../draw/dom.js";
import { api, ApiError, getToken } from "../data/api.js";
import { roundTable } from "../draw/chess.js";
import { titled } from "../state/chess.js";
import { t } from "../i18n/i18n.js";
import { act, flash, session, tpath } from "./operator.js";

const TITLES = ["", "GM", "IM", "WGM", "FM", "WIM", "CM", "WFM", "WCM"];
const warningsByRound = new Map(); // round -> {relaxed, warnings} of its latest pairing
const RELAXED = { repeat_bye: "director.relaxed_repeat_bye", colour: "director.relaxed_colour", rematch: "director.relaxed_rematch" };
const REASONS = { requested: "director.reason_requested", late: "director.reason_late" };

const tour = () => session.live.t;
const ppath = (pid) => `${tpath()}/participants/${encodeURIComponent(pid)}`;
const button = (attrs, text) => h("button", { type: "button", class: "secondary", ...attrs, text });

/** The Swiss the director runs: the format's settings, or a Swiss group stage's. */
export function swissOf(t0) {
  if (t0.format === "swiss") return t0.settings;
  const gs = t0.settings.group_stage;
  const playoff = t0.matches.some((m) => m.bracket === "winners");
  return t0.format === "groups_playoffs" && gs && gs.format === "swiss" && !playoff ? gs : null;
}

const swissMatches = (t0) => t0.matches.filter((m) => m.bracket === "swiss");
const lastRound = (t0) => Math.max(0, ...swissMatches(t0).map((m) => m.round));
const inPlay = (t0, pid) => t0.participants.find((p) => p.id === pid)?.status === "active";

/** A decided match the pairing decided itself: the bye, a forfeit of a player out of play. */
function automatic(t0, m) {
  if (m.result === "bye") return true;
  if (m.result === "forfeit") return !!m.loser_id && !inPlay(t0, m.loser_id);
  if (m.result === "double_forfeit") return m.slots.every((s) => !s.participant_id || !inPlay(t0, s.participant_id));
  return false;
}

/** Whether round ``r`` may still change: no result, no live score. */
export function changeable(t0, r) {
  return swissMatches(t0)
    .filter((m) => m.round === r)
    .every((m) => m.state !== "live" && (m.state !== "complete" || automatic(t0, m)));
}

/** What the round's pairing had to give way on, and what was changed by hand against an
 * absolute criterion since (``entry``: {relaxed, warnings, overrides}). */
function warningList(entry, overrideHead = t("director.override")) {
  if (!entry) return null;
  const block = (head, list) => [h("p", {}, h("strong", { text: head })), list.map((w) => h("p", { text: warningText(w) }))];
  const parts = [];
  if (entry.relaxed || entry.warnings.length) parts.push(block(entry.relaxed ? t(RELAXED[entry.relaxed]) : overrideHead, entry.warnings));
  if (entry.overrides && entry.overrides.length) parts.push(block(overrideHead, entry.overrides));
  return parts.length ? h("div", { class: "warnings", role: "alert" }, parts.flat(Infinity)) : null;
}

const WARNINGS = {
  rematch: "director.w_rematch",
  repeat_bye: "director.w_repeat_bye",
  colour_difference: "director.w_colour_difference",
  same_colour_three_times: "director.w_same_colour",
};

/** A broken criterion in the page's language: {code, participants} (the server's English
 * ``message`` for a code this page does not know). */
function warningText(w) {
  const key = WARNINGS[w.code];
  if (!key) return w.message;
  const names = new Map(tour().participants.map((p) => [p.id, p.name]));
  const [a, b] = (w.participants || []).map((p) => names.get(p) || p);
  return t(key, { a, b });
}

function roundState(t0, settings) {
  const r = lastRound(t0);
  const ms = swissMatches(t0).filter((m) => m.round === r && m.result !== "bye");
  const done = ms.filter((m) => m.state === "complete").length;
  const total = settings.rounds ? t("director.of_rounds", { n: settings.rounds }) : "";
  return r ? t("director.round_state", { round: r, total, done, n: ms.length }) : t("director.no_round");
}

// ---- pairing: the next round, again, deleted ---------------------------------------------------

async function preview(path, what) {
  try {
    const out = await api("POST", `${path}?dry_run=1`);
    const matches = out.matches || [];
    const groups = [...new Set(matches.map((m) => m.group ?? 1))];
    $("d-preview").replaceChildren(
      h("div", { class: "preview", id: "d-preview-box" },
        h("p", { class: "round-state", text: t("director.preview_of", { n: out.round }) }),
        warningList({ relaxed: out.relaxed, warnings: out.warnings || [], overrides: [] }),
        groups.map((g) => roundTable(tour(), out.round, matches.filter((m) => (m.group ?? 1) === g))),
        h("p", { class: "row" },
          h("button", { type: "button", id: "d-confirm", onclick: () => commit(path, out.round, what), text: t("director.confirm") }),
          button({ onclick: () => $("d-preview").replaceChildren() }, t("director.cancel")))),
    );
  } catch (err) {
    flash(err.message, false);
  }
}

async function commit(path, round, what) {
  const body = what === "pair" ? { round } : undefined;
  const out = await act(() => api("POST", path, body), t(what === "pair" ? "director.paired" : "director.repaired", { n: round }));
  if (!out) return;
  warningsByRound.set(out.round, { relaxed: out.relaxed, warnings: out.warnings || [], overrides: [] });
  $("d-preview").replaceChildren();
  await session.live.refetch();
}

async function deleteRound(r) {
  if (!confirm(t("director.delete_confirm", { n: r }))) return;
  if (await act(() => api("DELETE", `${tpath()}/rounds/${r}`), t("director.deleted", { n: r }))) {
    warningsByRound.delete(r);
    await session.live.refetch();
  }
}

// ---- a swap ---------------------------------------------------------------------------------

function swapForm(t0, r) {
  const players = swissMatches(t0)
    .filter((m) => m.round === r)
    .flatMap((m) => m.slots.map((s) => s.participant_id))
    .filter(Boolean);
  const names = new Map(t0.participants.map((p) => [p.id, titled(p)]));
  const select = (id) => h("select", { id }, players.map((p) => h("option", { value: p, text: names.get(p) })));
  const a = select("d-swap-a");
  const b = select("d-swap-b");
  if (players.length > 1) b.selectedIndex = 1;
  const out = h("div", { id: "d-swap-out" });
  const send = async (dry) => {
    const body = { players: [a.value, b.value] };
    const path = `${tpath()}/rounds/${r}/swap`;
    const res = await act(() => api("POST", dry ? `${path}?dry_run=1` : path, body), dry ? null : t("director.swapped"));
    if (!res) return;
    if (!dry) {
      out.replaceChildren();
      return session.live.refetch();
    }
    const warned = res.warnings.length > 0;
    out.replaceChildren(
      warned ? warningList({ relaxed: null, warnings: [], overrides: res.warnings }, t("director.swap_breaks")) : h("p", { class: "note", text: t("director.swap_clean") }),
      h("button", { type: "button", id: "d-swap-do", class: warned ? "danger" : null, onclick: () => send(false), text: t(warned ? "director.swap_anyway" : "director.swap") }),
    );
  };
  return h(
    "details",
    { id: "d-swap" },
    h("summary", { text: t("director.swap_title", { n: r }) }),
    h("p", { class: "note", text: t("director.swap_note") }),
    h("p", { class: "row" }, h("label", {}, t("director.swap_one"), " ", a), h("label", {}, t("director.swap_other"), " ", b), button({ id: "d-swap-preview", onclick: () => send(true) }, t("director.swap_preview"))),
    out,
  );
}

// ---- the players ------------------------------------------------------------------------------

/** A player's byes; one of a round not paired yet may be cancelled. */
function byeBadges(p, paired) {
  return (p.byes || []).map((b) =>
    h(
      "span",
      { class: "badge", title: t(REASONS[b.reason]) },
      t("director.bye_badge", { round: b.round, points: b.points === "half" ? "½" : "0" }),
      b.round > paired ? h("button", { type: "button", class: "secondary", "aria-label": t("director.bye_cancel", { round: b.round, name: p.name }), onclick: () => cancelBye(p, b.round), text: "✕" }) : null,
    ),
  );
}

async function cancelBye(p, round) {
  if (await act(() => api("DELETE", `${ppath(p.id)}/byes/${round}`), t("director.bye_cancelled", { name: p.name, round }))) await session.live.refetch();
}

async function status(p, verb) {
  const key = verb === "withdraw" ? "director.withdrawn" : "director.returned";
  if (await act(() => api("POST", `${ppath(p.id)}/${verb}`), t(key, { name: p.name }))) await session.live.refetch();
}

function roster(t0) {
  const underway = t0.state === "underway";
  const rows = [...t0.participants]
    .sort((a, b) => a.seed - b.seed)
    .map((p) =>
      h(
        "tr",
        { dataset: { pid: p.id } },
        h("td", { text: titled(p) }),
        h("td", { text: t(`participant_status.${p.status}`) }),
        h("td", { class: "byes-list" }, byeBadges(p, lastRound(t0))),
        h(
          "td",
          {},
          underway && p.status === "active" ? button({ class: "secondary withdraw", onclick: () => status(p, "withdraw") }, t("director.withdraw")) : null,
          underway && p.status === "withdrawn" ? button({ class: "secondary return", onclick: () => status(p, "return") }, t("director.return")) : null,
        ),
      ),
    );
  const head = h("tr", {}, ...["director.player", "director.status", "director.byes", ""].map((k) => h("th", { scope: "col", text: k ? t(k) : "" })));
  return h("div", { class: "roster-wrap" }, h("table", { class: "roster", id: "d-roster" }, h("thead", {}, head), h("tbody", {}, rows)));
}

function byeForm(t0) {
  const who = h("select", { name: "pid", id: "d-bye-who" }, [...t0.participants].sort((a, b) => a.seed - b.seed).map((p) => h("option", { value: p.id, text: p.name })));
  const rounds = h("input", { name: "rounds", id: "d-bye-rounds", placeholder: String(lastRound(t0) + 1), size: "8", required: true });
  const points = h("select", { name: "points", id: "d-bye-points" }, h("option", { value: "half", text: t("director.half_point") }), h("option", { value: "zero", text: t("director.zero_point") }));
  const submit = async (e) => {
    e.preventDefault();
    const list = String(rounds.value).split(/[\s,;]+/).filter(Boolean).map(Number);
    const name = t0.participants.find((p) => p.id === who.value)?.name || "";
    if (await act(() => api("POST", `${ppath(who.value)}/byes`, { rounds: list, points: points.value }), t("director.bye_requested", { name }))) {
      rounds.value = "";
      await session.live.refetch();
    }
  };
  return h("form", { class: "row", id: "d-bye-form", onsubmit: submit }, h("label", {}, t("director.bye_for"), " ", who), h("label", {}, t("director.bye_rounds"), " ", rounds), h("label", {}, t("director.bye_points"), " ", points), h("button", { type: "submit", text: t("director.bye_request") }));
}

function lateForm() {
  const name = h("input", { name: "name", id: "d-late-name", required: true, maxlength: "200", autocomplete: "off" });
  const rating = h("input", { name: "rating", id: "d-late-rating", type: "number", min: "0", max: "4000", size: "6" });
  const title = h("select", { name: "title", id: "d-late-title" }, TITLES.map((x) => h("option", { value: x, text: x || "—" })));
  const submit = async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim() };
    if (rating.value) body.rating = Number(rating.value);
    if (title.value) body.title = title.value;
    if (await act(() => api("POST", `${tpath()}/participants`, body), t("director.late_added", { name: body.name }))) {
      name.value = rating.value = "";
      await session.live.refetch();
    }
  };
  return h("form", { class: "row", id: "d-late-form", onsubmit: submit }, h("label", {}, t("admin.name"), " ", name), h("label", {}, t("chess.rating"), " ", rating), h("label", {}, t("director.title"), " ", title), h("button", { type: "submit", text: t("director.late_add") }));
}

// ---- print and file ---------------------------------------------------------------------------

function files(t0) {
  const id = encodeURIComponent(t0.id);
  const r = lastRound(t0);
  const link = (href, text, attrs = {}) => h("a", { class: "button secondary", href, target: "_blank", rel: "noopener", text, ...attrs });
  return h(
    "p",
    { class: "row" },
    r ? link(`/t/${id}?sheet=round&round=${r}`, t("director.round_sheet", { n: r }), { id: "d-sheet" }) : null,
    link(`/t/${id}?sheet=standings`, t("director.standings_sheet"), { id: "d-standings" }),
    t0.matches.some((m) => m.bracket !== "swiss") ? null : h("a", { class: "button secondary", id: "d-trf", href: "#", onclick: (e) => downloadTrf(e, t0), text: t("director.trf") }),
  );
}

/** The TRF is fetched with the page's token (a private tournament needs one), then saved. */
async function downloadTrf(e, t0) {
  e.preventDefault();
  try {
    const res = await fetch(`${tpath()}/export.trf`, { headers: { Authorization: `Bearer ${getToken()}` } });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
    const text = await res.text();
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = h("a", { href: url, download: `${t0.name.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase() || "tournament"}.trf` });
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  } catch (err) {
    flash(err.message, false);
  }
}

// ---- the panel --------------------------------------------------------------------------------

/** Draw the panel for the tournament open on the page (hidden unless it is a Swiss). */
export function drawDirector(t0) {
  const panel = $("d-panel");
  const settings = swissOf(t0);
  panel.hidden = !settings || t0.state === "pending";
  if (panel.hidden) return;
  const r = lastRound(t0);
  const open = swissMatches(t0).some((m) => m.state !== "complete");
  const more = !settings.rounds || r < settings.rounds;
  const canChange = r > 0 && changeable(t0, r);
  const underway = t0.state === "underway";
  const keep = $("d-preview").firstChild;
  const parts = [
    h("p", { class: "round-state", id: "d-state", text: roundState(t0, settings) }),
    warningList(warningsByRound.get(r)),
    underway
      ? h(
          "p",
          { class: "row" },
          h("button", { type: "button", id: "d-pair", disabled: open || !more, onclick: () => preview(`${tpath()}/rounds`, "pair"), text: t("director.pair", { n: r + 1 }) }),
          r ? button({ id: "d-repair", disabled: !canChange, onclick: () => preview(`${tpath()}/rounds/${r}/re-pair`, "repair") }, t("director.repair", { n: r })) : null,
          r ? button({ id: "d-delete", disabled: !canChange, onclick: () => deleteRound(r) }, t("director.delete", { n: r })) : null,
        )
      : null,
    underway && !open && !more ? h("p", { class: "note", text: t("director.all_paired") }) : null,
    underway && open && !canChange ? h("p", { class: "note", text: t("director.has_results") }) : null,
  ];
  $("d-body").replaceChildren(...parts.filter(Boolean));
  if (!keep) $("d-preview").replaceChildren();
  // the forms are made again only when what they offer changed: a live score or a result
  // arriving must not wipe what the director is typing
  const inRound = swissMatches(t0).filter((m) => m.round === r).flatMap((m) => m.slots.map((x) => x.participant_id));
  const swap = kept("swap", [t0.id, r, canChange && underway, inRound], () => (underway && canChange ? swapForm(t0, r) : null));
  $("d-swap-slot").replaceChildren(...[swap].filter(Boolean));
  const late = underway && t0.format === "swiss" && (t0.settings.group_count || 1) === 1 && more;
  const names = t0.participants.map((p) => p.id + p.name);
  const bye = kept("bye", [t0.id, underway, lastRound(t0), names], () => (underway ? byeForm(t0) : null));
  const entry = kept("late", [t0.id, late], () => (late ? lateForm() : null));
  $("d-players").replaceChildren(...[roster(t0), bye, entry].filter(Boolean));
  $("d-files").replaceChildren(files(t0));
}

const forms = new Map(); // name -> {key, el}: a form kept while what it offers stays the same

function kept(name, key, make) {
  const k = JSON.stringify(key);
  const old = forms.get(name);
  if (old && old.key === k) return old.el;
  const el = make();
  forms.set(name, { key: k, el });
  return el;
}

/** A pairing seen live (the director's own, or one made by itself): its warnings are kept. */
function onEvent(e) {
  const ev = e.detail;
  const [kind, what] = String(ev.type).split(".");
  if (kind !== "round") return; // round.paired, .repaired, .deleted, .swapped
  const r = ev.data.round;
  if (what === "paired" || what === "repaired") warningsByRound.set(r, { relaxed: ev.data.relaxed, warnings: ev.data.warnings || [], overrides: [] });
  if (what === "deleted") warningsByRound.delete(r);
  if (what === "swapped" && ev.data.override) {
    const entry = warningsByRound.get(r) || { relaxed: null, warnings: [], overrides: [] };
    warningsByRound.set(r, { ...entry, overrides: [...entry.overrides, ...ev.data.warnings] });
  }
}

/** The warnings of the pairings made before the page was opened, from the event log. */
async function loadWarnings(tid) {
  warningsByRound.clear();
  let after = 0;
  for (let page = 0; page < 10; page += 1) {
    let events;
    try {
      events = await api("GET", `${tpath()}/events?after=${after}&limit=1000`);
    } catch {
      return;
    }
    if (session.live?.tid !== tid) return;
    for (const ev of events) onEvent({ detail: ev });
    if (events.length < 1000) break;
    after = events[events.length - 1].seq;
  }
  if (session.live?.t) drawDirector(session.live.t);
}

/** Follow the tournament opened on the page. */
export function watchDirector(live) {
  warningsByRound.clear();
  live.addEventListener("event", onEvent);
  live.addEventListener("snapshot", (e) => {
    if (swissOf(e.detail)) loadWarnings(live.tid);
  }, { once: true });
}

// ---- a Swiss from a TRF file (the operator's home) ----------------------------------------------

async function importTrf(e) {
  e.preventDefault();
  const form = e.target;
  const file = $("trf-file").files[0];
  if (!file) return;
  try {
    const fd = new FormData(form);
    const body = { trf: await file.text(), visibility: fd.get("visibility") };
    if (fd.get("rounds")) body.settings = { rounds: Number(fd.get("rounds")) };
    const tour = await api("POST", "/api/v1/tournaments/import.trf", body);
    flash(t("admin.imported", { name: tour.name }));
    form.reset();
    location.hash = `t=${encodeURIComponent(tour.id)}`;
  } catch (err) {
    flash(t("admin.import_failed", { reason: err.message }), false);
  }
}

export function setupImport() {
  $("import-form").addEventListener("submit", importTrf);
}
