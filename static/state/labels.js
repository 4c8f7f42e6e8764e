// The words for a tournament's parts: match labels, round names, section titles, states.
// Pure functions of the match data and the loaded language.
import { t } from "../i18n/i18n.js";

export function groupLetter(g) {
  let s = "";
  let n = Number(g);
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A match's short label: W1.2, L3.1, GF, A2.3 (group A, round 2, match 3), R4.1 (Swiss). */
export function matchLabel(m) {
  const at = { round: m.round, number: m.number };
  if (m.bracket === "grand_final") return m.round === 2 ? t("label.grand_final_reset") : t("label.grand_final");
  if (m.bracket === "third_place") return t("label.third_place");
  if (m.bracket === "swiss") return t("label.swiss", at) + (m.group > 1 ? groupLetter(m.group) : "");
  if (m.bracket === "group") return t("label.group", { ...at, group: groupLetter(m.group || 1) });
  if (m.bracket === "losers") return t("label.losers", at);
  return t("label.winners", at);
}

/** A round's name: "Quarterfinals", "Losers round 2", "Grand final reset"... */
export function roundName(bracket, r, rounds, hasLosers) {
  if (bracket === "grand_final") return t(r === 2 ? "round.grand_final_reset" : "round.grand_final");
  if (bracket === "third_place") return t("round.third_place");
  if (bracket === "losers") return r === rounds ? t("round.losers_final") : t("round.losers_n", { n: r });
  if (bracket === "winners") {
    const left = rounds - r;
    if (left === 0) return t(hasLosers ? "round.winners_final" : "round.final");
    if (left === 1) return t(hasLosers ? "round.winners_semifinals" : "round.semifinals");
    if (left === 2 && !hasLosers) return t("round.quarterfinals");
    return hasLosers ? t("round.winners_n", { n: r }) : t("round.n", { n: r });
  }
  return t("round.n", { n: r });
}

export function formatName(f) {
  const key = `format.${f}`;
  const name = t(key);
  return name === key ? String(f || "").replace(/_/g, " ") : name;
}

export const tournamentState = (s) => t(`tournament_state.${s}`);
export const matchState = (m) => (m.result === "bye" ? t("match_state.bye") : t(`match_state.${m.state}`));
