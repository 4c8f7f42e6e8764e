// /t/{tid}: the live bracket viewer; ?overlay=1 for a transparent background, ?match={mid} for
// a single-match score bug.
import { api, fmtNumber, formatName, h, qs, STATE_NAMES } from "./common.js";
import { Board, champion, matchLabel } from "./bracket.js";
import { LiveTournament } from "./live.js";

const tid = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || qs("t") || "");
const overlay = qs("overlay") === "1" || qs("overlay") === "true";
const onlyMatch = qs("match");
const perf = (window.__tourney = { firstRenderMs: null, renders: 0, updates: 0, status: "connecting" });

if (overlay) document.documentElement.classList.add("overlay");
if (onlyMatch) document.documentElement.classList.add("score-bug");

const $ = (id) => document.getElementById(id);
const board = new Board($("board"));
const live = new LiveTournament(tid, { match: onlyMatch });
const pending = new Map();
// test and debugging hooks: drop the socket to exercise the reconnect, count the reconnects
perf.drop = () => live.ws && live.ws.close(4000, "dropped on purpose");
Object.defineProperty(perf, "reconnects", { get: () => live.reconnects, enumerable: true });
let flushQueued = false;
let standingsTimer = null;
let standings = null;

function needsStandings(t) {
  return t.matches.some((m) => m.bracket === "group" || m.bracket === "swiss") || ["round_robin", "swiss"].includes(t.format);
}

async function loadStandings() {
  const t = live.t;
  if (!t || !needsStandings(t)) return;
  try {
    standings = await api("GET", `/api/v1/tournaments/${encodeURIComponent(tid)}/standings`, undefined, { token: live.token });
    if (!onlyMatch) board.setStandings(standings);
    summary(live.t);
  } catch {
    /* standings are a nicety; the matches are still drawn */
  }
}

function scheduleStandings() {
  clearTimeout(standingsTimer);
  standingsTimer = setTimeout(loadStandings, 250);
}

function summary(t) {
  document.title = `${t.name} · tourney`;
  $("title").textContent = t.name;
  $("meta").textContent = `${formatName(t.format)} · ${STATE_NAMES[t.state] || t.state} · ${t.participants.length} participants`;
  const c = { live: 0, ready: 0, complete: 0 };
  for (const m of t.matches) c[m.state] = (c[m.state] || 0) + 1;
  const counts = $("counts");
  counts.replaceChildren();
  if (t.matches.length) {
    counts.append(
      h("span", { class: "count c-live", text: `${c.live} live` }),
      h("span", { class: "count c-ready", text: `${c.ready} ready` }),
      h("span", { class: "count c-complete", text: `${c.complete} of ${t.matches.length} done` }),
    );
  }
  const champ = champion(t, standings);
  const cp = $("champion");
  cp.hidden = !champ;
  if (champ) cp.textContent = `Champion: ${t.participants.find((p) => p.id === champ)?.name || "?"}`;
  const follow = $("follow");
  if (follow.options.length !== t.participants.length + 1) {
    const keep = follow.value;
    const ps = [...t.participants].sort((a, b) => a.name.localeCompare(b.name));
    follow.replaceChildren(h("option", { value: "", text: "nobody" }), ...ps.map((p) => h("option", { value: p.id, text: p.name })));
    follow.value = keep;
  }
}

function drawBug(t) {
  const m = t.matches.find((x) => x.id === onlyMatch);
  const bug = $("bug");
  bug.hidden = false;
  if (!m) {
    bug.replaceChildren(h("p", { class: "error", text: "No such match in this tournament." }));
    return;
  }
  const name = (pid) => t.participants.find((p) => p.id === pid)?.name || "TBD";
  const rows = m.slots.map((s, i) =>
    h(
      "div",
      { class: `bug-row${m.winner_id && m.winner_id === s.participant_id ? " win" : ""}` },
      h("span", { class: "bug-name", text: name(s.participant_id) }),
      h("span", { class: "bug-score", text: m.scores ? fmtNumber(m.scores[i]) : "–" }),
    ),
  );
  const state = m.state === "live" ? "LIVE" : m.state === "complete" ? "FINAL" : m.state.toUpperCase();
  bug.className = `bug s-${m.state}`;
  bug.replaceChildren(
    h("div", { class: "bug-head" }, h("span", { class: "bug-title", text: `${t.name} · ${matchLabel(m)}` }), h("span", { class: "bug-state", text: state })),
    ...rows,
  );
}

function drawAll(t) {
  const t0 = performance.now();
  summary(t);
  if (onlyMatch) drawBug(t);
  else board.render(t, standings);
  perf.renders += 1;
  if (perf.firstRenderMs === null) {
    // measured to the end of the first frame that shows the bracket
    requestAnimationFrame(() => {
      perf.firstRenderMs = performance.now() - t0;
      perf.firstPaintAt = performance.now();
      document.documentElement.dataset.rendered = "1";
    });
  }
}

function flush() {
  const f0 = performance.now();
  flushQueued = false;
  const t = live.t;
  if (!t) return;
  if (onlyMatch) {
    drawBug(t);
  } else {
    for (const m of pending.values()) {
      if (!board.updateMatch(m)) {
        board.render(t, standings);
        break;
      }
    }
  }
  perf.updates += pending.size;
  pending.clear();
  summary(t);
  const took = performance.now() - f0;
  perf.flushMaxMs = Math.max(perf.flushMaxMs || 0, took);
  perf.flushTotalMs = (perf.flushTotalMs || 0) + took;
}

live.addEventListener("snapshot", (e) => {
  pending.clear();
  drawAll(e.detail);
  if (standings === null && !standingsTimer) {
    standingsTimer = -1;
    loadStandings();
  } else scheduleStandings();
});
live.addEventListener("matches", (e) => {
  for (const m of e.detail) pending.set(m.id, m);
  if (!flushQueued) {
    flushQueued = true;
    requestAnimationFrame(flush);
  }
});
live.addEventListener("event", (e) => {
  if (e.detail.type === "match.result" || e.detail.type === "match.reopened") scheduleStandings();
});
live.addEventListener("status", (e) => {
  perf.status = e.detail;
  const names = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", offline: "Offline" };
  $("conn").className = `conn conn-${e.detail}`;
  $("conn-text").textContent = names[e.detail] || e.detail;
});

$("follow").addEventListener("change", (e) => board.pin(e.target.value || null));
$("board").addEventListener("pin", (e) => {
  $("follow").value = e.detail || "";
});

if (!tid) {
  $("error").hidden = false;
  $("error").textContent = "No tournament id in the address.";
} else {
  live.start().catch((err) => {
    $("title").textContent = "Tournament unavailable";
    $("error").hidden = false;
    $("error").textContent =
      err.status === 404 ? "There is no such tournament." : err.status === 401 || err.status === 403 ? "This tournament is private: sign in on the admin page with a token of it." : `Could not load the tournament: ${err.message}`;
    live.setStatus("offline");
  });
}
