// A tournament's matches arranged for drawing, and the questions pages ask of them: which
// sections (brackets, groups) and rounds there are, which round is being played, who won,
// where a player is now. Pure functions of the tournament as the API gives it.
import { groupLetter, roundName } from "./labels.js";
import { t } from "../i18n/i18n.js";

export const ELIMINATION = new Set(["winners", "losers", "grand_final", "third_place"]);
const ORDER = ["group", "swiss", "winners", "grand_final", "losers", "third_place"];

function sectionKey(m) {
  if (m.bracket === "grand_final") return "winners";
  return ELIMINATION.has(m.bracket) ? m.bracket : `${m.bracket}-${m.group ?? 0}`;
}

function sectionTitle(t0, bracket, ms, groupCount, hasLosers) {
  if (bracket === "winners") {
    if (hasLosers) return t("section.winners");
    return t(t0.format === "groups_playoffs" ? "section.playoffs" : "section.bracket");
  }
  if (bracket === "losers") return t("section.losers");
  if (bracket === "third_place") return t("section.third_place");
  const group = groupLetter(ms[0].group || 1);
  if (bracket === "swiss") return groupCount > 1 ? t("section.swiss_group", { group }) : t("section.swiss");
  return groupCount > 1 || t0.format === "groups_playoffs" ? t("section.group", { group }) : t("section.round_robin");
}

/** The rounds of ``ms`` as columns, named from ``last`` (each bracket's last round in the
 * whole tournament: a section may show only some of its rounds). */
function columns(ms, hasLosers, last) {
  const cols = new Map();
  for (const m of ms) {
    const ck = `${m.bracket}:${m.round}`;
    if (!cols.has(ck)) cols.set(ck, { bracket: m.bracket, round: m.round, matches: [] });
    cols.get(ck).matches.push(m);
  }
  const list = [...cols.values()].sort((a, b) => (a.bracket === "grand_final") - (b.bracket === "grand_final") || a.round - b.round);
  for (const c of list) {
    c.matches.sort((a, b) => a.number - b.number);
    c.key = `${c.bracket}:${c.round}`;
    c.title = roundName(c.bracket, c.round, last[c.bracket], hasLosers);
  }
  return list;
}

/**
 * The drawable sections: one per elimination bracket (the grand final beside the winners'),
 * one per group of a group stage. Each: {key, kind: "elim" | "table", bracket, group, title,
 * columns: [{key, bracket, round, title, matches}]}.
 */
export function sections(t0, matches = t0.matches) {
  const by = new Map();
  for (const m of matches) {
    const key = sectionKey(m);
    if (!by.has(key)) by.set(key, []);
    by.get(key).push(m);
  }
  const hasLosers = t0.matches.some((m) => m.bracket === "losers");
  const rank = (k) => {
    const i = ORDER.indexOf(k.split("-")[0]);
    return i < 0 ? ORDER.length : i;
  };
  const keys = [...by.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true }));
  const groupCount = new Set(t0.matches.filter((m) => !ELIMINATION.has(m.bracket)).map((m) => m.group)).size;
  const last = {};
  for (const m of t0.matches) last[m.bracket] = Math.max(last[m.bracket] || 0, m.round);
  return keys.map((key) => {
    const ms = by.get(key);
    const bracket = ms[0].bracket === "grand_final" ? "winners" : ms[0].bracket;
    const elim = ELIMINATION.has(bracket);
    return {
      key,
      kind: elim ? "elim" : "table",
      bracket,
      group: elim ? null : (ms[0].group ?? 1),
      title: sectionTitle(t0, bracket, ms, groupCount, hasLosers),
      columns: columns(ms, hasLosers, last),
    };
  });
}

const decided = (m) => m.state === "complete" && m.winner_id && m.result !== "bye";
const open = (m) => m.state !== "complete";

/** The champion of a complete tournament, from its deciding match or the server's standings. */
export function champion(t0, standings) {
  if (t0.state !== "complete") return null;
  const gf = t0.matches.filter((m) => m.bracket === "grand_final" && decided(m));
  if (gf.length) return gf.sort((a, b) => b.round - a.round)[0].winner_id;
  const finals = t0.matches.filter((m) => m.bracket === "winners" && !m.next.winner_to && decided(m));
  if (finals.length) return finals.sort((a, b) => b.round - a.round)[0].winner_id;
  if (standings && standings.length && standings[0].rank === 1) return standings[0].participant_id;
  return null;
}

/** The rounds being played: per section, its first round with a match still to finish (or,
 * all finished, its last round). */
export function currentRound(t0) {
  const out = [];
  for (const sec of sections(t0)) {
    const col = sec.columns.find((c) => c.matches.some((m) => open(m) && m.result !== "bye")) || sec.columns[sec.columns.length - 1];
    if (col) out.push(...col.matches);
  }
  return out;
}

/** The finals: grand final(s), third place, and the last rounds of the brackets (the
 * semifinals too when there is no losers' bracket). */
export function finals(t0) {
  const last = (bracket) => Math.max(0, ...t0.matches.filter((m) => m.bracket === bracket).map((m) => m.round));
  const hasLosers = t0.matches.some((m) => m.bracket === "losers");
  const wb = last("winners");
  const lb = last("losers");
  return t0.matches.filter(
    (m) =>
      m.bracket === "grand_final" ||
      m.bracket === "third_place" ||
      (m.bracket === "winners" && m.round >= (hasLosers ? wb : wb - 1)) ||
      (m.bracket === "losers" && m.round === lb),
  );
}

export const SECTIONS = ["all", "winners", "losers", "finals", "groups", "round", "standings"];

/** The matches a section of the page shows (see SECTIONS); null: no matches, only standings. */
export function matchesFor(t0, section) {
  switch (section) {
    case "winners":
      return t0.matches.filter((m) => m.bracket === "winners");
    case "losers":
      return t0.matches.filter((m) => m.bracket === "losers");
    case "finals":
      return finals(t0);
    case "groups":
      return t0.matches.filter((m) => !ELIMINATION.has(m.bracket));
    case "round":
      return currentRound(t0);
    case "standings":
      return null;
    default:
      return t0.matches;
  }
}

/** Where to find a player now: their live match, else the next one to play, else their last. */
export function playerFocus(t0, pid) {
  const theirs = t0.matches.filter((m) => m.slots.some((s) => s.participant_id === pid));
  const byOrder = (a, b) => a.round - b.round || a.number - b.number;
  return (
    theirs.find((m) => m.state === "live") ||
    theirs.filter((m) => m.state === "ready").sort(byOrder)[0] ||
    theirs.filter((m) => m.state === "complete").sort(byOrder).pop() ||
    null
  );
}

/** The match a score bug follows with ?match=live: a live one, else the next to be played. */
export function liveMatch(t0) {
  const byOrder = (a, b) => (a.bracket === "grand_final") - (b.bracket === "grand_final") || a.round - b.round || a.number - b.number;
  return t0.matches.filter((m) => m.state === "live").sort(byOrder)[0] || t0.matches.filter((m) => m.state === "ready").sort(byOrder)[0] || null;
}
