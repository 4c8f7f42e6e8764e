// The `detail` a scoreboard sends with its live ticks ({"map": "Inferno", "clock": "12:31"}),
// as a short line: the keys scoreboards commonly send first, then the rest in their order;
// plain values only (nested objects are left out), each cut to a readable length.
import { h } from "./dom.js";
import { formatNumber } from "../i18n/i18n.js";

const FIRST = ["period", "half", "quarter", "set", "game", "map", "round", "inning", "clock", "time", "server", "note"];
const MAX_ITEMS = 4;
const MAX_CHARS = 32;

function plain(v) {
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v.length > MAX_CHARS ? `${v.slice(0, MAX_CHARS - 1)}…` : v;
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === "number" || typeof x === "string")) return v.map(plain).join("–");
  return null;
}

/** [[key, value text], ...] of the detail worth showing, in display order. */
export function detailItems(detail) {
  if (!detail || typeof detail !== "object" || Array.isArray(detail)) return [];
  const keys = Object.keys(detail);
  const ordered = [...FIRST.filter((k) => keys.includes(k)), ...keys.filter((k) => !FIRST.includes(k))];
  const out = [];
  for (const k of ordered) {
    const v = detail[k];
    if (v === true) out.push([k, ""]);
    const text = plain(v);
    if (text !== null && text !== "") out.push([k, text]);
    if (out.length === MAX_ITEMS) break;
  }
  return out;
}

const label = (k) => k.replace(/[_-]+/g, " ");

/** The values only, for a match card's header: "Inferno · 12:31". */
export function detailText(detail) {
  return detailItems(detail)
    .map(([k, v]) => v || label(k))
    .join(" · ");
}

/** Keys and values, for the score bug: a row of labelled items. */
export function detailRow(detail) {
  const items = detailItems(detail);
  if (!items.length) return null;
  return h(
    "div",
    { class: "detail" },
    items.map(([k, v]) => h("span", { class: "detail-item" }, h("span", { class: "detail-key", text: label(k) }), v ? h("span", { class: "detail-value", text: v }) : null)),
  );
}
