// /admin: the operator pages. Signed in with a token kept in localStorage; /admin?token=...#t=tid
// stores the token, strips it from the address, and opens that tournament (a referee's link).
// The parts: admin-home (create, list), admin-people (participants, seeds, start),
// admin-match (the match dialog), admin-share (referee links, embed, overlays).
import { $, h } from "../draw/dom.js";
import { getToken, setToken, tournamentPath } from "../data/api.js";
import { LiveTournament } from "../data/live.js";
import { StandingsFeed } from "../data/standings.js";
import { Board } from "../draw/board.js";
import { champion } from "../state/sections.js";
import { formatName, tournamentState } from "../state/labels.js";
import { LANGUAGES, language, loadLanguage, rememberLanguage, t, translatePage } from "../i18n/i18n.js";
import { flash, session } from "./operator.js";
import { loadFormats, loadList, remember, setupHome } from "./admin-home.js";
import { drawSeeds, setupPeople } from "./admin-people.js";
import { openMatch, refreshDialog, setupDialog } from "./admin-match.js";
import { drawShare, setupShare } from "./admin-share.js";
import { drawDirector, setupImport, watchDirector } from "./admin-director.js";
import "../webhooks.js";

let board = null;
let groups = null; // the open tournament's group tables (StandingsFeed)

(function takeTokenFromUrl() {
  const u = new URL(location.href);
  const tok = u.searchParams.get("token");
  if (tok) {
    setToken(tok);
    u.searchParams.delete("token");
    history.replaceState(null, "", u.pathname + (u.search || "") + u.hash);
  }
})();

function showAuth() {
  const tok = getToken();
  $("signin").hidden = !!tok;
  $("signout").hidden = !tok;
  $("who").textContent = tok ? t("admin.signed_in", { end: tok.slice(-4) }) : t("admin.signed_out");
}

function route() {
  const m = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  if (session.live) {
    session.live.stop();
    session.live = null;
  }
  $("conn").hidden = true;
  if (m) openTournament(decodeURIComponent(m[1]));
  else {
    $("home").hidden = false;
    $("tour").hidden = true;
    document.title = t("admin.page_title");
    loadList();
  }
}

function openTournament(tid) {
  $("home").hidden = true;
  $("tour").hidden = false;
  $("t-name").textContent = t("common.loading");
  board = board || new Board($("board"), { onMatch: openMatch });
  const live = (session.live = new LiveTournament(tid));
  groups = new StandingsFeed(live, { stage: "groups" });
  groups.addEventListener("standings", (e) => board.setGroupStandings(e.detail));
  watchDirector(live);
  live.addEventListener("snapshot", (e) => drawTournament(e.detail));
  live.addEventListener("matches", (e) => {
    for (const m of e.detail) if (!board.updateMatch(m)) board.render(live.t);
    drawHeader(live.t);
    refreshDialog(e.detail);
    drawDirector(live.t);
  });
  live.addEventListener("status", (e) => {
    $("conn").hidden = false;
    $("conn").className = `conn conn-${e.detail}`;
    $("conn-text").textContent = t(`conn.${e.detail}`);
  });
  live.start().catch((err) => {
    $("t-name").textContent = t("viewer.unavailable");
    flash(err.status === 404 ? t("viewer.no_such") : t("admin.open_failed", { reason: err.message }), false);
  });
}

function drawHeader(tour) {
  const champ = champion(tour, null);
  const champName = champ ? tour.participants.find((p) => p.id === champ)?.name : null;
  $("t-name").textContent = tour.name;
  document.title = `${tour.name} · ${t("admin.page_title")}`;
  const c = tour.matches.reduce((a, m) => ((a[m.state] = (a[m.state] || 0) + 1), a), {});
  const n = tour.matches.length;
  $("t-meta").textContent = [
    formatName(tour.format),
    tournamentState(tour.state),
    t("viewer.participants", { n: tour.participants.length }),
    n ? t("admin.match_counts", { done: c.complete || 0, n, ready: c.ready || 0, live: c.live || 0 }) : null,
    champName ? t("viewer.champion", { name: champName }) : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

function drawTournament(tour) {
  remember(tour);
  drawHeader(tour);
  const id = encodeURIComponent(tour.id);
  $("t-view").href = `/t/${id}`;
  $("t-overlay").href = `/t/${id}?overlay=1`;
  $("t-api").href = tournamentPath(tour.id);
  drawSeeds(tour);
  $("m-panel").hidden = tour.state === "pending";
  groups.setActive(tour.matches.some((m) => m.bracket === "group" || m.bracket === "swiss"));
  if (tour.state !== "pending") board.render(tour);
  drawShare(tour);
  drawDirector(tour);
  refreshDialog();
}

function setupLanguage() {
  const select = $("lang");
  select.replaceChildren(...Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, text: name })));
  select.value = language();
  select.addEventListener("change", () => {
    rememberLanguage(select.value);
    const u = new URL(location.href);
    u.searchParams.delete("lang");
    location.replace(u);
  });
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
  flash(t("admin.signed_out_now"));
});
window.addEventListener("hashchange", route);

await loadLanguage();
translatePage();
setupLanguage();
setupHome();
setupPeople();
setupDialog();
setupShare();
setupImport();
showAuth();
loadFormats();
route();
