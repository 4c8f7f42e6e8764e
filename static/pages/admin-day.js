// The event day on the operator page: the sign-up (open it, places, a code, approval) and its
// link with a QR code for the door; check-in (open it, who is here, check someone in, a
// player's own link to hand over); the waiting list; stations (add, remove, what each holds,
// a referee link for each, calling by hand); the viewer's link for the audience.
// Self-contained: it adds its panels to the tournament view; admin.js calls drawDay.
import { $, h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { matchLabel } from "../state/labels.js";
import { t } from "../i18n/i18n.js";
import { act, participantName, session, tpath } from "./operator.js";
import { base, handout } from "./handout.js";

let shown = null; // the tournament drawn last (its id and version), so links are not redrawn for nothing
const issued = new Map(); // participant id -> the link handed out this session (shown under its row)
const refereeLinks = new Map(); // station id -> the referee link made for it this session

function panel(id, titleKey) {
  let p = document.getElementById(id);
  if (!p) {
    p = h("section", { id, class: "panel day", "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h`, text: t(titleKey) }), h("div", { class: "day-body" }));
    $("p-panel").after(p);
  }
  return p.querySelector(".day-body");
}

export function setupDay() {
  document.head.append(h("link", { rel: "stylesheet", href: "/static/eventday.css" }));
}

export function drawDay(tour) {
  const fresh = !shown || shown.id !== tour.id;
  shown = { id: tour.id, version: tour.version };
  if (fresh) {
    issued.clear();
    refereeLinks.clear();
  }
  const stations = panel("st-panel", "day.stations");
  const people = panel("day-panel", "day.title");
  people.replaceChildren(...[...signupPart(tour), ...checkInPart(tour), ...peoplePart(tour)].filter(Boolean));
  stations.replaceChildren(...stationsPart(tour).filter(Boolean));
  drawLinks(tour, fresh);
  if (tour.signup.approval && tour.state === "pending") drawPending();
}

// ---- sign-up ----------------------------------------------------------------------------------

function signupPart(tour) {
  const s = tour.signup;
  const pending = tour.state === "pending";
  const taken = tour.participants.length;
  const status = [
    s.enabled && !s.closed_at && pending ? t("day.signup_open") : t("day.signup_closed"),
    s.capacity ? t("day.places", { taken, capacity: s.capacity }) : t("day.places_open", { taken }),
    tour.waiting_list.length ? t("day.waiting", { n: tour.waiting_list.length }) : null,
  ].filter(Boolean);
  const form = h(
    "form",
    { class: "grid", id: "signup-form", onsubmit: saveSignup },
    h("label", { class: "inline" }, h("input", { type: "checkbox", name: "enabled", checked: !!s.enabled }), h("span", { text: t("day.signup_enabled") })),
    h("label", {}, h("span", { text: t("day.capacity") }), h("input", { name: "capacity", type: "number", min: "2", max: "4096", value: s.capacity ?? "" })),
    h("label", {}, h("span", { text: t("day.code") }), h("input", { name: "code", maxlength: "64", autocomplete: "off", placeholder: s.code_required ? t("day.code_kept") : "" })),
    h("label", { class: "inline" }, h("input", { type: "checkbox", name: "approval", checked: !!s.approval }), h("span", { text: t("day.approval") })),
    h("div", {}, h("button", { type: "submit", text: t("day.save") })),
  );
  return [
    h("h3", { text: t("day.signup") }),
    h("p", { class: "meta", id: "signup-status", text: status.join(" · ") }),
    pending ? form : null,
    h("div", { id: "signup-link" }),
  ];
}

async function saveSignup(e) {
  e.preventDefault();
  const fd = new FormData(e.target);
  const signup = { enabled: fd.get("enabled") === "on", approval: fd.get("approval") === "on", capacity: fd.get("capacity") ? Number(fd.get("capacity")) : null };
  if (String(fd.get("code") || "").trim()) signup.code = String(fd.get("code")).trim();
  if (await act(() => api("PATCH", tpath(), { signup }), t("day.saved"))) {
    shown = null;
    await session.live.refetch();
  }
}

/** The links to hand out: the sign-up (with its code) and the viewer for the audience. */
async function drawLinks(tour, fresh) {
  const box = $("signup-link");
  if (!tour.signup.enabled || tour.state !== "pending") {
    box.replaceChildren();
  } else if (fresh || !box.firstChild) {
    try {
      const info = await api("GET", `${tpath()}/signup`);
      box.replaceChildren(handout(info.link, t("day.signup_link_note"), { id: "signup-handout" }));
    } catch (err) {
      box.replaceChildren(h("p", { class: "msg bad", text: err.message }));
    }
  }
  const viewer = $("viewer-link");
  const url = `${base()}/t/${encodeURIComponent(tour.id)}`;
  if (!viewer || viewer.dataset.url !== url) {
    const part = h("div", { id: "viewer-link", dataset: { url } }, h("h3", { text: t("day.viewer") }), handout(url, t("day.viewer_note")));
    if (viewer) viewer.replaceWith(part);
    else $("t-view").closest(".panel").append(part);
  }
}

// ---- check-in and the people ------------------------------------------------------------------

function checkInPart(tour) {
  if (tour.state !== "pending") return [];
  const opened = tour.check_in.opened_at;
  const here = tour.participants.filter((p) => p.checked_in_at).length;
  const waitingHere = tour.waiting_list.filter((w) => w.checked_in_at).length;
  return [
    h("h3", { text: t("day.check_in") }),
    h(
      "p",
      { class: "row" },
      opened
        ? h("span", { id: "check-in-status", text: t("day.check_in_open", { here, n: tour.participants.length, waiting: waitingHere }) })
        : h("button", { type: "button", id: "open-check-in", onclick: openCheckIn, text: t("day.open_check_in") }),
      opened ? null : h("span", { class: "note", text: tour.check_in.opens_at ? t("day.check_in_opens", { at: new Date(tour.check_in.opens_at).toLocaleString() }) : t("day.check_in_note") }),
    ),
  ];
}

async function openCheckIn() {
  if (await act(() => api("POST", `${tpath()}/check-in/open`), t("day.check_in_opened"))) await session.live.refetch();
}

function peoplePart(tour) {
  const pending = tour.state === "pending";
  const rows = tour.participants.map((p) => person(tour, p, true));
  const waiting = tour.waiting_list.map((w, i) => person(tour, { ...w, status: "waiting", place: i + 1 }, false));
  return [
    h("h3", { text: t("day.people") }),
    h("p", { class: "note", text: pending ? t("day.people_note") : t("day.people_note_started") }),
    h("ul", { class: "day-people", id: "day-people" }, rows),
    waiting.length ? h("h3", { text: t("day.waiting_list") }) : null,
    waiting.length ? h("ol", { class: "day-people", id: "day-waiting" }, waiting) : null,
    h("div", { id: "day-pending" }),
  ];
}

function person(tour, p, hasPlace) {
  const pending = tour.state === "pending";
  const checkIn = pending && !p.checked_in_at && (hasPlace ? p.status === "active" : true);
  const link = issued.get(p.id);
  return h(
    "li",
    { dataset: { pid: p.id } },
    h("span", { class: "nm", text: p.name }),
    p.checked_in_at ? h("span", { class: "badge here", text: t("day.here") }) : pending && tour.check_in.opened_at ? h("span", { class: "badge", text: t("day.not_here") }) : null,
    hasPlace ? null : h("span", { class: "note", text: t("day.in_line", { n: p.place }) }),
    checkIn ? h("button", { type: "button", class: "secondary", "aria-label": t("day.check_in_who", { name: p.name }), onclick: () => checkInOne(p), text: t("day.check_in_one") }) : null,
    h("button", { type: "button", class: "secondary", "aria-label": t("day.link_for", { name: p.name }), onclick: () => giveLink(p), text: t("day.link") }),
    link ? handout(link, t("day.link_note", { name: p.name })) : null,
  );
}

async function checkInOne(p) {
  if (await act(() => api("POST", `${tpath()}/participants/${encodeURIComponent(p.id)}/check-in`), t("day.checked_in", { name: p.name }))) await session.live.refetch();
}

async function giveLink(p) {
  if (issued.has(p.id) && !confirm(t("day.link_again", { name: p.name }))) return;
  const r = await act(() => api("POST", `${tpath()}/participants/${encodeURIComponent(p.id)}/link`), t("day.link_made", { name: p.name }));
  if (!r) return;
  issued.set(p.id, r.link);
  drawDay(session.live.t);
}

async function drawPending() {
  let page;
  try {
    page = await api("GET", `${tpath()}/signups`);
  } catch {
    return;
  }
  const waitingApproval = page.entries.filter((e) => e.status === "pending");
  const box = $("day-pending");
  if (!box || !waitingApproval.length) return;
  const decide = (e, how) => async () => {
    const done = how === "approve" ? t("day.approved", { name: e.name }) : t("day.rejected", { name: e.name });
    if (await act(() => api("POST", `${tpath()}/signups/${encodeURIComponent(e.id)}/${how}`), done)) await session.live.refetch();
  };
  box.replaceChildren(
    h("h3", { text: t("day.awaiting") }),
    h("ul", { class: "day-people" }, waitingApproval.map((e) => h("li", {}, h("span", { class: "nm", text: e.name }), h("button", { type: "button", onclick: decide(e, "approve"), text: t("day.approve") }), h("button", { type: "button", class: "secondary", onclick: decide(e, "reject"), text: t("day.reject") })))),
  );
}

// ---- stations ---------------------------------------------------------------------------------

function stationsPart(tour) {
  const admin = session.me?.scope === "admin";
  const ready = tour.matches.filter((m) => m.state === "ready" && !m.station);
  const who = (m) => m.slots.map((s) => participantName(s.participant_id) || t("side.tbd")).join(" v ");
  const rows = tour.stations.map((s) => {
    const m = s.match_id ? tour.matches.find((x) => x.id === s.match_id) : null;
    const call =
      !m && tour.call_matches === "manual" && ready.length
        ? h(
            "form",
            { class: "row", onsubmit: (e) => callHere(e, s) },
            h("label", { class: "inline" }, h("span", { class: "visually-hidden", text: t("day.call_which", { station: s.name }) }), h("select", { name: "match" }, ready.map((r) => h("option", { value: r.id, text: `${matchLabel(r)}: ${who(r)}` })))),
            h("button", { type: "submit", class: "secondary", text: t("day.call") }),
          )
        : null;
    return h(
      "li",
      { dataset: { sid: s.id } },
      h("span", { class: "nm", text: s.name }),
      h("span", { class: m ? "st-match" : "note", text: m ? `${matchLabel(m)}: ${who(m)}` : t("day.station_free") }),
      call,
      admin ? h("button", { type: "button", class: "secondary", onclick: () => refereeLink(s), text: t("day.referee_link") }) : null,
      h("button", { type: "button", class: "secondary", "aria-label": t("day.remove_station", { station: s.name }), onclick: () => removeStation(s), text: "✕" }),
      refereeLinks.has(s.id) ? handout(refereeLinks.get(s.id), t("day.referee_link_note", { station: s.name })) : null,
    );
  });
  return [
    h("p", { class: "note", text: t("day.stations_note") }),
    h("ul", { class: "day-people day-stations", id: "day-stations" }, rows),
    h(
      "form",
      { class: "row", id: "station-form", onsubmit: addStations },
      h("label", {}, h("span", { text: t("day.station_names") }), h("input", { name: "names", required: true, maxlength: "2000", placeholder: t("day.station_names_example") })),
      h("button", { type: "submit", text: t("day.add_stations") }),
    ),
    h(
      "label",
      { class: "inline" },
      h("span", { text: t("day.calling") }),
      h(
        "select",
        { id: "calling", onchange: (e) => setCalling(e.target.value) },
        h("option", { value: "auto", text: t("day.calling_auto"), selected: tour.call_matches === "auto" }),
        h("option", { value: "manual", text: t("day.calling_manual"), selected: tour.call_matches === "manual" }),
      ),
    ),
  ];
}

async function addStations(e) {
  e.preventDefault();
  const names = String(new FormData(e.target).get("names") || "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length) return;
  if (await act(() => api("POST", `${tpath()}/stations`, names.map((name) => ({ name }))), t("day.stations_added", { n: names.length }))) await session.live.refetch();
}

async function removeStation(s) {
  if (!confirm(t("day.remove_station_confirm", { station: s.name }))) return;
  if (await act(() => api("DELETE", `${tpath()}/stations/${encodeURIComponent(s.id)}`), t("day.station_removed", { station: s.name }))) await session.live.refetch();
}

async function setCalling(mode) {
  if (await act(() => api("PATCH", tpath(), { call_matches: mode }), t("day.saved"))) await session.live.refetch();
}

async function callHere(e, s) {
  e.preventDefault();
  const mid = new FormData(e.target).get("match");
  if (await act(() => api("POST", `${tpath()}/matches/${encodeURIComponent(mid)}/call`, { station_id: s.id }), t("day.called", { station: s.name }))) await session.live.refetch();
}

/** A referee token for one station, and its link with a QR code to scan at the station. */
async function refereeLink(s) {
  const body = { tournament_id: session.live.tid, scope: "report", station_id: s.id, label: s.name };
  const r = await act(() => api("POST", "/api/v1/tokens", body), t("day.referee_link_made", { station: s.name }));
  if (!r) return;
  refereeLinks.set(s.id, r.link);
  drawDay(session.live.t);
}
