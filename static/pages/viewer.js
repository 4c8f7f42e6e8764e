// /t/{tid}: the live bracket viewer. The same page is the phone view (a list of matches by
// round), the stream overlay (?overlay=1: fitted to its output size), the score bug
// (?match=ID or ?match=live), an embed (?embed=1) and a printable bracket. Options:
// state/options.js; how each screen is fitted: pages/screens.js.
import { $, h } from "../draw/dom.js";
import { LiveTournament } from "../data/live.js";
import { StandingsFeed } from "../data/standings.js";
import { Board } from "../draw/board.js";
import { drawBug } from "../draw/bug.js";
import { groupRows, standingsTable } from "../draw/standings.js";
import { chessStandings } from "../draw/chess.js";
import { isChess } from "../state/chess.js";
import { drawSheet } from "./sheet.js";
import { champion, ELIMINATION, liveMatch, matchesFor, playerFocus } from "../state/sections.js";
import { formatName, groupLetter, tournamentState } from "../state/labels.js";
import { viewerOptions } from "../state/options.js";
import { loadLanguage, t, translatePage } from "../i18n/i18n.js";
import { Screens } from "./screens.js";
import * as boot from "./viewer-boot.js";

const opts = viewerOptions();
const perf = (window.__tourney = { firstRenderMs: null, renders: 0, updates: 0, status: "connecting" });
const live = new LiveTournament(opts.tid, { match: opts.match && opts.match !== "live" ? opts.match : null });
const board = new Board($("board"));
const screens = new Screens(opts, board);
const groupFeed = new StandingsFeed(live, { stage: "groups" });
const finalFeed = new StandingsFeed(live);
const pending = new Map();
let flushQueued = false;
const playerKey = `tourney.player.${opts.tid}`;

// test and debugging hooks: drop the socket to exercise the reconnect, count the reconnects
perf.drop = () => live.ws && live.ws.close(4000, "dropped on purpose");
Object.defineProperty(perf, "reconnects", { get: () => live.reconnects, enumerable: true });
Object.defineProperty(perf, "standingsFetches", { get: () => groupFeed.fetches + finalFeed.fetches, enumerable: true });

const hasGroupStage = (t0) => t0.matches.some((m) => !ELIMINATION.has(m.bracket));
const playoffStarted = (t0) => t0.matches.some((m) => ELIMINATION.has(m.bracket));

/** Which of the server's standings this view needs: a group stage's tables, the final ones. */
function wantStandings(t0) {
  if (opts.sheet) {
    groupFeed.setActive(false);
    finalFeed.setActive(opts.sheet === "standings");
    return;
  }
  const section = opts.section;
  const groupsShown = hasGroupStage(t0) && ["all", "groups", "round"].includes(section);
  const standingsOnly = section === "standings";
  groupFeed.setActive(groupsShown || (standingsOnly && hasGroupStage(t0) && !playoffStarted(t0)));
  finalFeed.setActive(t0.state === "complete" || (standingsOnly && (!hasGroupStage(t0) || playoffStarted(t0))));
}

function drawStandingsOnly(t0) {
  const root = $("board");
  const useGroups = groupFeed.active && groupFeed.rows;
  const rows = (useGroups ? groupFeed.rows : finalFeed.rows) || [];
  const byPoints = hasGroupStage(t0);
  let tables;
  if (useGroups) {
    const groups = [...new Set(rows.map((r) => r.group))].sort((a, b) => a - b);
    const name = (g) => (groups.length > 1 ? t("section.group", { group: groupLetter(g) }) : t("standings.title"));
    tables = groups.map((g) => table(t0, groupRows(rows, g), { caption: name(g), lit: board.cards.lit, byPoints }));
  } else tables = [table(t0, rows, { lit: board.cards.lit, byPoints })];
  board.key = "";
  root.replaceChildren(h("section", { class: "stage stage-standings" }, h("div", { class: "standings-grid" }, tables)));
}

/** A standings table: every tiebreak, titles and ratings for a chess tournament. */
const table = (t0, rows, o) => (isChess(t0) ? chessStandings(t0, rows, o) : standingsTable(rows, o));

function draw(t0) {
  const t1 = performance.now();
  summary(t0);
  wantStandings(t0);
  if (opts.sheet) drawSheet($("board"), t0, opts, finalFeed.rows);
  else if (opts.section === "bug") drawBug($("bug"), t0, opts.match === "live" ? liveMatch(t0) : live.byId.get(opts.match));
  else if (opts.section === "standings") drawStandingsOnly(t0);
  else {
    screens.sized(t0);
    board.render(t0, matchesFor(t0, opts.section));
  }
  if (opts.section !== "bug" && !opts.sheet) board.setGroupStandings(groupFeed.rows);
  screens.refit();
  perf.renders += 1;
  if (perf.firstRenderMs === null) {
    // measured to the end of the first frame that shows the bracket
    requestAnimationFrame(() => {
      perf.firstRenderMs = performance.now() - t1;
      perf.firstPaintAt = performance.now();
      document.documentElement.dataset.rendered = "1";
    });
  }
}

function flush() {
  const f0 = performance.now();
  flushQueued = false;
  const t0 = live.t;
  if (!t0) return;
  if (opts.section !== "all" || opts.sheet || [...pending.values()].some((m) => !board.updateMatch(m))) draw(t0);
  else summary(t0);
  perf.updates += pending.size;
  pending.clear();
  const took = performance.now() - f0;
  perf.flushMaxMs = Math.max(perf.flushMaxMs || 0, took);
  perf.flushTotalMs = (perf.flushTotalMs || 0) + took;
}

function summary(t0) {
  document.title = `${t0.name} · tourney`;
  $("title").textContent = t0.name;
  $("ov-title").textContent = t0.name;
  const n = t0.participants.length;
  $("meta").textContent = [formatName(t0.format), tournamentState(t0.state), t("viewer.participants", { n })].join(" · ");
  const c = { live: 0, ready: 0, complete: 0 };
  for (const m of t0.matches) c[m.state] = (c[m.state] || 0) + 1;
  $("counts").replaceChildren(
    ...(t0.matches.length
      ? [
          h("span", { class: "count c-live", text: t("counts.live", { n: c.live }) }),
          h("span", { class: "count c-ready", text: t("counts.ready", { n: c.ready }) }),
          h("span", { class: "count c-complete", text: t("counts.done", { n: c.complete, total: t0.matches.length }) }),
        ]
      : []),
  );
  const champ = champion(t0, finalFeed.rows);
  $("champion").hidden = !champ;
  if (champ) $("champion").textContent = t("viewer.champion", { name: t0.participants.find((p) => p.id === champ)?.name || "?" });
  players(t0);
}

function players(t0) {
  const select = $("player");
  if (select.options.length === t0.participants.length + 1) return;
  const keep = select.value || opts.player || stored(playerKey);
  const ps = [...t0.participants].sort((a, b) => a.name.localeCompare(b.name));
  select.replaceChildren(h("option", { value: "", text: t("viewer.nobody") }), ...ps.map((p) => h("option", { value: p.id, text: p.name })));
  if (ps.some((p) => p.id === keep)) {
    select.value = keep;
    board.pin(keep);
  }
  $("jump").disabled = !select.value;
}

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function choosePlayer(pid) {
  try {
    if (pid) localStorage.setItem(playerKey, pid);
    else localStorage.removeItem(playerKey);
  } catch {
    /* no storage */
  }
  $("player").value = pid || "";
  $("jump").disabled = !pid;
}

function jumpToPlayer() {
  const pid = $("player").value;
  const m = pid && live.t ? playerFocus(live.t, pid) : null;
  const card = m && $("board").querySelector(`.match[data-id="${CSS.escape(m.id)}"]`);
  if (!card) return;
  board.pin(pid);
  card.scrollIntoView({ block: "center", inline: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  card.focus({ preventScroll: true });
  card.classList.remove("flash");
  void card.offsetWidth; // restart the animation
  card.classList.add("flash");
}

function showStatus(s) {
  perf.status = s;
  $("conn").className = `conn conn-${s}`;
  $("conn-text").textContent = t(`conn.${s}`);
}

function showError(err) {
  $("title").textContent = t("viewer.unavailable");
  $("error").hidden = false;
  const key = err.status === 404 ? "viewer.no_such" : err.status === 401 || err.status === 403 ? "viewer.private" : "viewer.load_failed";
  $("error").textContent = t(key, { reason: err.message });
  live.setStatus("offline");
}

live.addEventListener("snapshot", (e) => {
  pending.clear();
  draw(e.detail);
});
live.addEventListener("matches", (e) => {
  for (const m of e.detail) pending.set(m.id, m);
  if (!flushQueued) {
    flushQueued = true;
    requestAnimationFrame(flush);
  }
});
live.addEventListener("status", (e) => showStatus(e.detail));
for (const feed of [groupFeed, finalFeed]) feed.addEventListener("standings", () => live.t && draw(live.t));

$("player").addEventListener("change", (e) => {
  choosePlayer(e.target.value);
  board.pin(e.target.value || null);
});
$("jump").addEventListener("click", jumpToPlayer);
$("board").addEventListener("pin", (e) => choosePlayer(e.detail));

async function main() {
  screens.setup();
  if (!opts.tid) {
    await loadLanguage();
    translatePage();
    $("error").hidden = false;
    $("error").textContent = t("viewer.no_id");
    return;
  }
  // the language and the tournament, asked for by viewer-boot.js before this module arrived
  await loadLanguage(boot.language, boot.catalogue);
  translatePage();
  showStatus("connecting");
  try {
    await live.start(await boot.first);
  } catch (err) {
    showError(err);
  }
}

main();
