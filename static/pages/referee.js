// The referee's view of the operator page: what a report token may do, sized for a thumb on a
// phone. Its matches (called to its station, else every match being played or ready, called
// ones first), each with big buttons: a point to either side (every tap a live score), games
// for a best-of (points, then "end the game"), the result; and its own last result, which it may
// correct while the server allows (GET /api/v1/me says which and until when). Nothing else: a
// report token can do nothing else.
import { h } from "../draw/dom.js";
import { api, tournamentPath } from "../data/api.js";
import { LiveTournament } from "../data/live.js";
import { matchLabel } from "../state/labels.js";
import { formatNumber, t } from "../i18n/i18n.js";
import { session } from "./operator.js";

(function addStylesheet() {
  document.head.append(h("link", { rel: "stylesheet", href: "/static/referee.css" }));
})();

const ADOPT_AFTER_MS = 3000; // a score untouched here this long follows the server's again

let live = null;
let root = null;
let clock = null;
let correcting = null; // the id of the match whose result is being corrected
const tallies = new Map(); // match id -> {points: [a, b], games: [[a, b], ...], touched}
const sending = new Map(); // match id -> the promise of its last live tick (sent in order)
const notes = new Map(); // match id -> [text, ok]

const mpath = (mid) => `${tournamentPath(live.tid)}/matches/${encodeURIComponent(mid)}`;
const nameOf = (pid) => live.t.participants.find((p) => p.id === pid)?.name || t("side.tbd");
const need = (m) => Math.floor(m.best_of / 2) + 1;
const wins = (games) => [games.filter((g) => g[0] > g[1]).length, games.filter((g) => g[1] > g[0]).length];

/** Show the referee's view of tournament ``tid`` (the operator page's sections are hidden). */
export function openReferee(tid) {
  closeReferee();
  root = document.getElementById("referee");
  if (!root) {
    root = h("section", { id: "referee", class: "referee", "aria-labelledby": "ref-h" });
    document.getElementById("main").append(root);
  }
  root.hidden = false;
  root.replaceChildren(h("p", { class: "note", text: t("common.loading") }));
  live = new LiveTournament(tid);
  live.addEventListener("snapshot", draw);
  live.addEventListener("matches", (e) => {
    for (const m of e.detail) follow(m);
    draw();
  });
  live.addEventListener("status", (e) => {
    const conn = document.getElementById("conn");
    conn.hidden = false;
    conn.className = `conn conn-${e.detail}`;
    document.getElementById("conn-text").textContent = t(`conn.${e.detail}`);
  });
  live.start().catch((err) => root.replaceChildren(h("p", { class: "msg bad", text: t("admin.open_failed", { reason: err.message }) })));
  clock = setInterval(tick, 1000);
}

export function closeReferee() {
  if (live) live.stop();
  live = null;
  clearInterval(clock);
  tallies.clear();
  correcting = null;
  if (root) root.hidden = true;
}

/** Once a second: the correction's time left, and the button gone once it has passed. */
function tick() {
  const c = session.me?.correction;
  const el = root?.querySelector(".ref-left");
  if (!c?.until || !el) return;
  const left = Math.round((Date.parse(c.until) - Date.now()) / 1000);
  if (left <= 0) {
    c.until = null;
    correcting = null;
    draw();
  } else el.textContent = t("ref.correct_left", { n: left });
}

/** A server update: a match decided elsewhere drops its tally; an idle one follows the server. */
function follow(m) {
  const mine = tallies.get(m.id);
  if (!mine) return;
  if (m.state === "complete" || m.state === "pending" || Date.now() - mine.touched > ADOPT_AFTER_MS) tallies.delete(m.id);
}

/** The running score of ``m``: kept here while the referee taps, else read from the match. */
function tallyOf(m) {
  let tally = tallies.get(m.id);
  if (tally) return tally;
  const detail = m.live && typeof m.live === "object" ? m.live : {};
  const pair = (x) => (Array.isArray(x) && x.length === 2 && x.every(Number.isFinite) ? [...x] : null);
  if (m.best_of > 1) {
    const games = Array.isArray(detail.games) ? detail.games.map(pair).filter(Boolean) : m.games.map(pair).filter(Boolean);
    tally = { points: pair(detail.points) || [0, 0], games, touched: 0 };
  } else tally = { points: pair(m.scores) || [0, 0], games: [], touched: 0 };
  return tally;
}

function ordered(tour) {
  const station = session.me?.station;
  const order = new Map(tour.stations.map((s, i) => [s.id, i]));
  const playable = tour.matches.filter((m) => m.state === "ready" || m.state === "live");
  const rank = (m) => [m.station ? order.get(m.station.id) ?? 999 : 1000, m.state === "live" ? 0 : 1, m.round, m.number];
  playable.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  if (!station) return { mine: playable, others: [] };
  const here = (m) => m.station?.id === station.id;
  return { mine: playable.filter(here), others: playable.filter((m) => !here(m)) };
}

function draw() {
  if (!live?.t || !root) return;
  const tour = live.t;
  const me = session.me || {};
  const focused = document.activeElement?.dataset?.key;
  const { mine, others } = ordered(tour);
  const station = me.station;
  const last = lastResult(tour);
  const parts = [
    h("h2", { id: "ref-h", text: station ? station.name : tour.name }),
    h("p", { class: "meta", text: station ? t("ref.at_station", { tournament: tour.name }) : t("ref.every_station") }),
    ...(mine.length ? mine.map((m) => card(m)) : [h("p", { class: "ref-empty", text: station ? t("ref.waiting_station", { station: station.name }) : t("ref.nothing") })]),
    last,
    others.length
      ? h("details", { class: "ref-others" }, h("summary", { text: t("ref.other_matches", { n: others.length }) }), ...others.map((m) => card(m)))
      : null,
  ];
  root.replaceChildren(...parts.filter(Boolean));
  if (focused) root.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  tick();
}

/** The referee's own last result, with a way to correct it while the window is open. */
function lastResult(tour) {
  const c = session.me?.correction;
  const m = c?.match_id && c.until && Date.parse(c.until) > Date.now() ? tour.matches.find((x) => x.id === c.match_id) : null;
  if (!m || m.state !== "complete") return null;
  if (correcting === m.id) return card(m, true);
  const [a, b] = m.slots.map((s) => nameOf(s.participant_id));
  const score = m.scores ? m.scores.map(formatNumber).join("–") : t(`result.${m.result}`);
  return h(
    "article",
    { class: "ref-card ref-done", dataset: { id: m.id } },
    h("p", { class: "ref-head" }, h("span", { text: `${matchLabel(m)}${m.station ? ` · ${m.station.name}` : ""}` }), h("span", { class: "ref-state", text: t("ref.reported") })),
    h("p", { class: "ref-result", text: `${a} ${score} ${b}` }),
    h("p", { class: "row" }, h("button", { type: "button", class: "secondary big", dataset: { key: `fix-${m.id}` }, onclick: () => startCorrection(m), text: t("ref.correct") }), h("span", { class: "note ref-left" })),
    note(m.id),
  );
}

function startCorrection(m) {
  const games = (m.games || []).map((g) => [...g]);
  tallies.set(m.id, { points: m.best_of > 1 ? [0, 0] : [...(m.scores || [0, 0])], games, touched: Date.now() });
  correcting = m.id;
  draw();
}

function note(mid) {
  const [text, ok] = notes.get(mid) || ["", true];
  return h("p", { class: `msg ${ok ? "ok" : "bad"}`, role: "status", "aria-live": "polite", text });
}

function say(mid, text, ok = true) {
  notes.set(mid, [text, ok]);
  draw();
}

/** One match: its two sides with their score and buttons, and what ends it. */
function card(m, fixing = false) {
  const tally = tallyOf(m);
  const bo = m.best_of > 1;
  const [a, b] = m.slots.map((s) => s.participant_id);
  const head = [
    m.station ? h("span", { class: "ref-station", text: m.station.name }) : null,
    h("span", { text: matchLabel(m) }),
    bo ? h("span", { text: t("dialog.best_of", { n: m.best_of }) }) : null,
    h("span", { class: "ref-state", text: fixing ? t("ref.correcting") : t(`match_state.${m.state}`) }),
  ];
  return h(
    "article",
    { class: `ref-card s-${m.state}${fixing ? " fixing" : ""}`, dataset: { id: m.id } },
    h("p", { class: "ref-head" }, ...head),
    side(m, tally, 0, a, fixing),
    side(m, tally, 1, b, fixing),
    bo ? games(m, tally, fixing) : null,
    finish(m, tally, fixing),
    fixing ? null : others(m, a, b),
    note(m.id),
  );
}

function side(m, tally, i, pid, fixing) {
  const bo = m.best_of > 1;
  const name = nameOf(pid);
  const won = wins(tally.games)[i];
  return h(
    "div",
    { class: "ref-side" },
    h("span", { class: "ref-name" }, name, bo ? h("span", { class: "ref-won", text: t("ref.games_won", { n: won }) }) : null),
    h("span", { class: "ref-score", text: formatNumber(tally.points[i]), "aria-label": bo ? t("ref.points_of", { name, n: tally.points[i] }) : t("ref.score_of", { name, n: tally.points[i] }) }),
    h("button", { type: "button", class: "secondary ref-minus", dataset: { key: `minus-${m.id}-${i}` }, "aria-label": t("ref.minus", { name }), disabled: tally.points[i] <= 0, onclick: () => change(m, i, -1, fixing), text: "−" }),
    h("button", { type: "button", class: "ref-plus", dataset: { key: `plus-${m.id}-${i}` }, "aria-label": t("ref.plus", { name }), onclick: () => change(m, i, 1, fixing), text: t("ref.point") }),
  );
}

/** A best-of's games so far, and the button that ends the one being played. */
function games(m, tally, fixing) {
  const played = tally.games.map((g, i) => h("li", { text: t("ref.game_score", { n: i + 1, score: g.map(formatNumber).join("–") }) }));
  const [x, y] = tally.points;
  const decided = Math.max(...wins(tally.games)) >= need(m);
  return h(
    "div",
    { class: "ref-games" },
    played.length ? h("ol", { class: "ref-game-list" }, played) : null,
    decided
      ? null
      : h("button", { type: "button", class: "secondary big", dataset: { key: `end-${m.id}` }, disabled: x === y, onclick: () => endGame(m, fixing), text: x === y ? t("ref.game_level", { n: tally.games.length + 1 }) : t("ref.end_game", { n: tally.games.length + 1, name: nameOf(m.slots[x > y ? 0 : 1].participant_id) }) }),
    tally.games.length ? h("button", { type: "button", class: "secondary", dataset: { key: `undo-${m.id}` }, onclick: () => undoGame(m, fixing), text: t("ref.undo_game") }) : null,
  );
}

/** Report (or, correcting, send the correction): enabled once there is a winner to report. */
function finish(m, tally, fixing) {
  const bo = m.best_of > 1;
  const score = bo ? wins(tally.games) : tally.points;
  const draws = m.bracket === "group" || m.bracket === "swiss"; // elimination has none
  const ready = bo ? Math.max(...score) >= need(m) : draws || score[0] !== score[1];
  const [a, b] = m.slots.map((s) => nameOf(s.participant_id));
  const what = t("ref.report_score", { a, b, score: score.map(formatNumber).join("–") });
  const body = bo ? { games: tally.games } : { scores: tally.points };
  return h(
    "p",
    { class: "row ref-finish" },
    h("button", { type: "button", class: "big", dataset: { key: `report-${m.id}` }, disabled: !ready, onclick: () => (fixing ? send(m, "correct", body) : send(m, "result", body)), text: fixing ? t("ref.save_correction", { what }) : t("ref.report", { what }) }),
    fixing ? h("button", { type: "button", class: "secondary", onclick: () => ((correcting = null), tallies.delete(m.id), draw()), text: t("ref.cancel") }) : null,
  );
}

function others(m, a, b) {
  const forfeit = (pid) =>
    h("button", { type: "button", class: "secondary", onclick: () => confirm(t("dialog.forfeits", { name: nameOf(pid) }) + "?") && send(m, "result", { forfeit: pid }), text: t("dialog.forfeits", { name: nameOf(pid) }) });
  return h("details", { class: "ref-more" }, h("summary", { text: t("dialog.other_outcomes") }), h("p", { class: "row" }, forfeit(a), forfeit(b)));
}

function change(m, i, by, fixing) {
  const tally = tallyOf(m);
  tally.points[i] = Math.max(0, tally.points[i] + by);
  tally.touched = Date.now();
  tallies.set(m.id, tally);
  notes.delete(m.id);
  draw();
  if (!fixing) tickLive(m, tally);
}

function endGame(m, fixing) {
  const tally = tallyOf(m);
  tally.games.push([...tally.points]);
  tally.points = [0, 0];
  tally.touched = Date.now();
  tallies.set(m.id, tally);
  draw();
  if (!fixing) tickLive(m, tally);
}

function undoGame(m, fixing) {
  const tally = tallyOf(m);
  tally.points = tally.games.pop() || [0, 0];
  tally.touched = Date.now();
  tallies.set(m.id, tally);
  draw();
  if (!fixing) tickLive(m, tally);
}

/** A live score for the viewers: the points (a best-of: games won, the game and its points in
 * the detail). Sent in order, one after the other, per match. */
function tickLive(m, tally) {
  const bo = m.best_of > 1;
  const body = bo
    ? { scores: wins(tally.games), detail: { game: tally.games.length + 1, points: [...tally.points], games: tally.games.map((g) => [...g]) } }
    : { scores: [...tally.points] };
  const before = sending.get(m.id) || Promise.resolve();
  const next = before
    .then(() => api("POST", `${mpath(m.id)}/live`, body))
    .catch((err) => say(m.id, err.message, false));
  sending.set(m.id, next);
}

async function send(m, kind, body) {
  try {
    await (sending.get(m.id) || Promise.resolve());
    await api("POST", `${mpath(m.id)}/${kind}`, body);
    tallies.delete(m.id);
    correcting = null;
    session.me = await api("GET", "/api/v1/me");
    notes.set(m.id, [kind === "correct" ? t("ref.corrected") : t("dialog.reported"), true]);
    await live.refetch();
  } catch (err) {
    say(m.id, err.message, false);
  }
}
