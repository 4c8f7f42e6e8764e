// A player's own page: /t/{tid}/entry#<participant link>. Where they stand, check-in,
// withdrawal, the match they are called to, kept live over the tournament's WebSocket.
import { api, tournamentPath } from "./data/api.js";
import { h } from "./draw/dom.js";
import { formatDate as fmtDate } from "./i18n/i18n.js";
import { showError, showHeader, showQr, storeLink, storedLink, tournamentId } from "./player.js";

const tid = tournamentId();
const base = tournamentPath(tid);
const token = location.hash.slice(1) || storedLink(tid);
if (location.hash.length > 1) storeLink(tid, token);

const STATUS = {
  active: ["in", "You have a place"],
  waiting: ["waiting", "On the waiting list"],
  pending: ["pending", "Awaiting the organiser's approval"],
  withdrawn: ["out", "Withdrawn"],
  rejected: ["out", "Not accepted"],
  dropped: ["out", "Dropped: not checked in before the start"],
  disqualified: ["out", "Disqualified"],
};

function facts(me) {
  const t = me.tournament;
  const rows = [];
  if (me.seed) rows.push(["Seed", String(me.seed)]);
  if (me.waiting_position) rows.push(["Place in line", `#${me.waiting_position}`]);
  if (me.checked_in_at) rows.push(["Checked in", fmtDate(me.checked_in_at)]);
  else if (t.state === "pending" && t.check_in.opened_at) rows.push(["Checked in", "not yet"]);
  else if (t.check_in.opens_at) rows.push(["Check-in opens", fmtDate(t.check_in.opens_at)]);
  if (t.state !== "pending") rows.push(["Tournament", t.state === "complete" ? "complete" : "under way"]);
  return h("ul", { class: "facts" },
    rows.map(([k, v]) => h("li", {}, h("span", { text: k }), h("span", { text: v }))));
}

function showMe(me) {
  showHeader(me.tournament);
  const [kind, words] = STATUS[me.status] || ["pending", me.status];
  let line = words;
  if (me.status === "waiting" && me.tournament.state !== "pending") line = "The tournament started without you";
  document.getElementById("me").replaceChildren(
    h("h2", { text: me.name }),
    h("p", { class: "status-line" }, h("span", { class: `badge ${kind}`, text: line })),
    facts(me));
  showMatch(me.matches[0]);
  const checkIn = document.getElementById("check-in");
  checkIn.hidden = !me.can_check_in;
  const note = document.getElementById("check-in-note");
  const waitingForCheckIn = me.tournament.state === "pending" && !me.checked_in_at &&
    !me.tournament.check_in.opened_at && ["active", "waiting"].includes(me.status);
  note.hidden = !waitingForCheckIn;
  if (waitingForCheckIn) {
    const opens = me.tournament.check_in.opens_at;
    note.textContent = opens ? `Check-in opens ${fmtDate(opens)}.` : "Check-in is not open yet.";
  }
  document.getElementById("withdraw").hidden = !me.can_withdraw;
  document.getElementById("actions").hidden = checkIn.hidden && note.hidden && !me.can_withdraw;
}

function showMatch(m) {
  const box = document.getElementById("match");
  box.hidden = !m;
  if (!m) return;
  const round = `${m.bracket === "losers" ? "Losers" : "Round"} ${m.round}, match ${m.number}`;
  const where = m.station ? m.station.name : m.state === "live" ? "Playing now" : "Waiting for a station";
  box.replaceChildren(
    h("h2", { text: m.station ? "Your match is called" : "Your next match" }),
    h("p", { class: "where", text: where }),
    h("p", { class: "vs", text: `vs ${m.opponent ? m.opponent.name : "?"} · ${round}` }));
}

async function refresh() {
  const me = await api("GET", base + "/entry", undefined, { token });
  showMe(me);
  showError(null);
}

async function act(path, button, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return;
  button.disabled = true;
  try {
    showMe(await api("POST", `${base}/entry/${path}`, undefined, { token }));
    showError(null);
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

async function showLinkQr() {
  const res = await fetch(`${base}/entry/qr.svg`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.ok) showQr(document.getElementById("qr"), await res.text());
}

let socket = null;
let timer = null;
function live(delay = 1000) {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const url = `${proto}://${location.host}${base}/ws?fields=scores&token=${encodeURIComponent(token)}`;
  socket = new WebSocket(url);
  socket.onmessage = (msg) => {
    // a structural event (light frames name it); live score ticks change nothing shown here
    if (!JSON.parse(msg.data).event) return;
    clearTimeout(timer);
    timer = setTimeout(() => refresh().catch(showError), 150);
  };
  socket.onopen = () => { delay = 1000; };
  socket.onclose = () => setTimeout(() => live(Math.min(delay * 2, 30000)), delay);
}

const checkInButton = document.getElementById("check-in");
checkInButton.addEventListener("click", () => act("check-in", checkInButton));
const withdrawButton = document.getElementById("withdraw");
withdrawButton.addEventListener("click",
  () => act("withdraw", withdrawButton, "Withdraw your sign-up? Your place goes to the next in line."));

if (!token) {
  showError("This page needs your participant link: open the link you got when you signed up.");
} else {
  refresh().then(() => {
    document.documentElement.dataset.rendered = "1";
    showLinkQr().catch(() => {});
    live();
  }).catch(showError);
}
