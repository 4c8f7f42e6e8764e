// /admin: the operator pages. Signed in with a token kept in localStorage, once the server has
// said who it is (GET /api/v1/me): /admin#t=tid&token=... (a referee's link; ?token= as well)
// stores the token, strips it from the address, and opens that tournament. A report token gets
// the referee's view (referee.js) and nothing else; the admin and a manager, the operator's.
// The parts: admin-home (create, list), admin-people (participants, seeds, start),
// admin-day (sign-up, check-in, stations, links to hand out), admin-match (the match dialog),
// admin-share (referee links, embed, overlays), referee (a referee's phone).
import { $, h } from "../draw/dom.js";
import { ApiError, api, getToken, setToken, tournamentPath } from "../data/api.js";
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
import { drawDay, setupDay } from "./admin-day.js";
import { closeReferee, openReferee } from "./referee.js";
import { drawDirector, setupImport, watchDirector } from "./admin-director.js";
import "../webhooks.js";

let board = null;
let groups = null; // the open tournament's group tables (StandingsFeed)

/** A token in the address (a link handed out: in the fragment, or an older link's query),
 * taken out of it before anything else: it is to be kept, not shown or bookmarked. */
function tokenFromUrl() {
  const u = new URL(location.href);
  const hash = new URLSearchParams(u.hash.slice(1));
  const tok = hash.get("token") || u.searchParams.get("token");
  if (!tok) return null;
  hash.delete("token");
  u.searchParams.delete("token");
  const rest = hash.toString().replace(/%2F/gi, "/");
  history.replaceState(null, "", u.pathname + (u.search || "") + (rest ? `#${rest}` : ""));
  return tok;
}

/** Ask the server who ``token`` is; keep it only if it is valid. True when signed in. */
async function signIn(token) {
  try {
    session.me = await api("GET", "/api/v1/me", undefined, { token });
  } catch (err) {
    session.me = null;
    if (err instanceof ApiError && err.status === 401) {
      setToken("");
      flash(t("admin.token_refused"), false);
    } else flash(t("admin.token_unchecked", { reason: err.message }), false);
    showAuth();
    return false;
  }
  setToken(token);
  showAuth();
  return true;
}

function showAuth() {
  const me = session.me;
  $("signin").hidden = !!me;
  $("signout").hidden = !me;
  document.body.classList.toggle("as-referee", me?.scope === "report");
  const title = $("home-link");
  title.dataset.i18n = me?.scope === "report" ? "admin.title_referee" : "admin.title";
  title.textContent = t(title.dataset.i18n);
  if (!me) $("who").textContent = t("admin.signed_out");
  else if (me.scope === "report") $("who").textContent = me.station ? t("admin.signed_in_station", { station: me.station.name }) : t("admin.signed_in_report");
  else $("who").textContent = me.scope === "admin" ? t("admin.signed_in_admin") : t("admin.signed_in_manage", { label: me.label || "" });
  window.dispatchEvent(new CustomEvent("tourney:signed-in", { detail: me }));
}

function route() {
  const m = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  if (session.live) {
    session.live.stop();
    session.live = null;
  }
  $("conn").hidden = true;
  closeReferee();
  const me = session.me;
  if (me?.scope === "report") {
    $("home").hidden = true;
    $("tour").hidden = true;
    openReferee(me.tournament_id);
    return;
  }
  if (!m && me?.scope === "manage") {
    location.hash = `t=${encodeURIComponent(me.tournament_id)}`;
    return;
  }
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
  drawDay(tour);
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

$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  if (await signIn(token)) {
    $("token").value = "";
    flash("");
    route();
  }
});
$("signout").addEventListener("click", () => {
  setToken("");
  session.me = null;
  showAuth();
  route();
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
setupDay();
setupImport();
const given = tokenFromUrl();
if (given || getToken()) await signIn(given || getToken());
else showAuth();
loadFormats();
route();
