// The operator's home: a new tournament (with the settings of its format), and the list of
// tournaments (public ones, and the ones opened in this browser).
import { $, h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { formatName, tournamentState } from "../state/labels.js";
import { t } from "../i18n/i18n.js";
import { flash } from "./operator.js";

const RECENT_KEY = "tourney.recent";
const ORDER = ["single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs"];

function recent() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
  } catch {
    return [];
  }
}

export function remember(tour) {
  const list = recent().filter((x) => x.id !== tour.id);
  list.unshift({ id: tour.id, name: tour.name });
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, 30)));
  } catch {
    /* no storage */
  }
}

export async function loadFormats() {
  let formats = ORDER;
  try {
    const spec = await api("GET", "/openapi.json", undefined, { token: "" });
    formats = spec.components.schemas.TournamentIn.properties.format.enum;
  } catch {
    /* keep the defaults */
  }
  formats = [...formats].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  $("format").replaceChildren(...formats.map((f) => h("option", { value: f, text: formatName(f) })));
  showSettings();
}

function showSettings() {
  const f = $("format").value;
  for (const el of document.querySelectorAll("#create-form [data-for]")) el.hidden = !el.dataset.for.split(" ").includes(f);
}

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
    if (fd.get("chess") === "on") s.chess = true;
  } else if (f === "swiss") {
    if (num("rounds")) s.rounds = num("rounds");
    s.auto_pair = fd.get("by_hand") !== "on";
    if (fd.get("chess") === "on") s.chess = true;
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

async function create(e) {
  e.preventDefault();
  const form = e.target;
  const fd = new FormData(form);
  try {
    const body = { name: String(fd.get("name")).trim(), format: fd.get("format"), visibility: fd.get("visibility"), settings: settingsFrom(form) };
    const tour = await api("POST", "/api/v1/tournaments", body);
    remember(tour);
    flash(t("admin.created", { name: tour.name }));
    form.reset();
    showSettings();
    location.hash = `t=${encodeURIComponent(tour.id)}`;
  } catch (err) {
    flash(err instanceof SyntaxError ? t("admin.settings_not_json", { reason: err.message }) : t("admin.create_failed", { reason: err.message }), false);
  }
}

export async function loadList() {
  const items = new Map(recent().map((x) => [x.id, { ...x, state: null }]));
  try {
    const page = await api("GET", "/api/v1/tournaments?limit=100");
    for (const x of page.items) items.set(x.id, x);
  } catch {
    /* the recent ones still show */
  }
  $("tlist").replaceChildren(
    ...[...items.values()].map((x) =>
      h(
        "li",
        {},
        h("a", { href: `#t=${encodeURIComponent(x.id)}`, text: x.name }),
        x.state ? h("span", { class: `badge st-${x.state}`, text: tournamentState(x.state) }) : null,
        x.format ? h("p", { class: "meta", text: formatName(x.format) }) : null,
      ),
    ),
  );
}

export function setupHome() {
  $("format").addEventListener("change", showSettings);
  $("create-form").addEventListener("submit", create);
}
