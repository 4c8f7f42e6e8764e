// The pages' languages: one JSON catalogue per language in this folder, no build step.
// The language comes from ?lang=, else the browser's preferred languages, else English.
// A message is a string with {placeholders}, or plural forms keyed by Intl.PluralRules
// categories ({"one": "...", "other": "..."}), picked by the number in {n}.

export const LANGUAGES = { en: "English", de: "Deutsch", fr: "Français", es: "Español", pt: "Português" };
const LANG_KEY = "tourney.lang";

let lang = "en";
let messages = {};
let plurals = new Intl.PluralRules("en");

/** The language to use: ?lang=, a choice stored by a page, the browser's, then English. */
export function pickLanguage(search = location.search, preferred = navigator.languages || [navigator.language]) {
  const asked = new URLSearchParams(search).get("lang");
  let stored = null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  } catch {
    /* no storage */
  }
  for (const tag of [asked, stored, ...preferred]) {
    const base = String(tag || "").toLowerCase().split(/[-_]/)[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

export function rememberLanguage(code) {
  try {
    localStorage.setItem(LANG_KEY, code);
  } catch {
    /* no storage */
  }
}

/** Load a catalogue (English if the language is unknown or its file cannot be read);
 * ``fetched``: the catalogue's JSON already asked for (a promise of it, or of null). */
export async function loadLanguage(code = pickLanguage(), fetched = null) {
  const want = code in LANGUAGES ? code : "en";
  try {
    let data = fetched ? await fetched : null;
    if (!data) {
      const res = await fetch(`/static/i18n/${want}.json`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      data = await res.json();
    }
    messages = data;
    lang = want;
  } catch {
    if (want !== "en") return loadLanguage("en");
    messages = {};
    lang = "en";
  }
  plurals = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
  return lang;
}

export const language = () => lang;

/** The message for ``key`` with its {placeholders} filled in from ``vars``. */
export function t(key, vars = {}) {
  let msg = messages[key];
  if (msg === undefined) return key;
  if (typeof msg === "object") msg = msg[plurals.select(Number(vars.n ?? 0))] ?? msg.other;
  return msg.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? String(vars[name]) : all));
}

/**
 * Translate the static text of a page: data-i18n="key" sets the text, and
 * data-i18n-attr="placeholder:key; aria-label:key2" sets attributes.
 */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

let numbers = null; // the language's number format, made once: making one costs far more than using it

/** A number as this language writes it (2.5 → "2,5" in German). */
export function formatNumber(n) {
  if (n === null || n === undefined || n === "") return "";
  const x = Number(n);
  if (!Number.isFinite(x)) return String(n);
  if (Number.isInteger(x) && Math.abs(x) < 1000) return String(x); // the same in every language
  if (!numbers || numbers.resolvedOptions().locale.split("-")[0] !== lang) numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  return numbers.format(x);
}

export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(lang);
}
