// The public sign-up page: /t/{tid}/signup[?code=...]. Phone first.
import { api, tournamentPath } from "./data/api.js";
import { h } from "./draw/dom.js";
import { formatDate as fmtDate } from "./i18n/i18n.js";

const qs = (name) => new URLSearchParams(location.search).get(name);
import { showError, showHeader, storeLink, storedLink, tournamentId } from "./player.js";

const tid = tournamentId();
const form = document.getElementById("form");
const base = tournamentPath(tid);

function statusLine(info) {
  const s = info.signup;
  const p = info.places;
  const facts = [];
  if (p.capacity) facts.push(["Places", `${p.taken} of ${p.capacity} taken`]);
  else facts.push(["Signed up", String(p.taken)]);
  if (p.waiting) facts.push(["Waiting list", String(p.waiting)]);
  const past = s.closes_at && new Date(s.closes_at) <= new Date();
  if (s.closes_at) facts.push([past ? "Sign-up closed" : "Sign-up closes", fmtDate(s.closes_at)]);
  if (s.approval) facts.push(["Approval", "the organiser confirms each sign-up"]);
  const full = p.capacity && p.taken >= p.capacity;
  const open = s.open;
  let lead = open ? "Sign-up is open." : `Sign-up is closed: ${info.signup.closed_reason}.`;
  if (!open && past && info.tournament.state === "pending") lead = "Sign-up is closed.";
  if (open && full) lead = "All places are taken: you can join the waiting list.";
  return [
    h("p", { class: "status-line" },
      h("span", { class: `badge ${open ? "in" : "out"}`, text: open ? "Open" : "Closed" }),
      h("span", { text: lead })),
    h("ul", { class: "facts" },
      facts.map(([k, v]) => h("li", {}, h("span", { text: k }), h("span", { text: v })))),
  ];
}

async function load() {
  const info = await api("GET", base + "/signup", undefined, { token: "" });
  showHeader(info.tournament);
  document.getElementById("status").replaceChildren(...statusLine(info));
  const mine = storedLink(tid);
  const already = document.getElementById("already");
  if (mine) {
    already.replaceChildren("You signed up on this device. ",
      h("a", { href: `/t/${encodeURIComponent(tid)}/entry#${mine}`, text: "Open my entry" }));
    already.hidden = false;
  }
  form.hidden = !info.signup.open;
  const code = document.getElementById("code-label");
  code.hidden = !info.signup.code_required;
  if (info.signup.code_required && qs("code")) document.getElementById("code").value = qs("code");
  document.getElementById("submit").textContent =
    info.places.capacity && info.places.taken >= info.places.capacity && !info.signup.approval
      ? "Join the waiting list" : "Sign up";
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  showError(null);
  const body = { name: document.getElementById("name").value };
  const rating = document.getElementById("rating").value.trim();
  if (rating) body.rating = Number(rating.replace(",", "."));
  if (!document.getElementById("code-label").hidden) body.code = document.getElementById("code").value;
  const button = document.getElementById("submit");
  button.disabled = true;
  try {
    const made = await api("POST", base + "/signup", body, {
      token: "", headers: { "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Math.random()) },
    });
    storeLink(tid, made.token);
    location.assign(`/t/${encodeURIComponent(tid)}/entry#${made.token}`);
  } catch (err) {
    showError(err);
    button.disabled = false;
  }
});

load().then(() => { document.documentElement.dataset.rendered = "1"; }).catch(showError);
