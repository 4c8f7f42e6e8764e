// A chess tournament as the pages show it: when a Swiss or a round robin is drawn as boards
// (White, Black, 1-0, ½-½, 0-1, +/−), what a result is written as, and who had a bye in a
// round. Pure functions of the tournament as the API gives it (numbers in the page's language).

import { formatNumber } from "../i18n/i18n.js";

const CHESS_FORMATS = new Set(["swiss", "round_robin"]);

/** The settings of the stage drawn as boards: the tournament's, or its group stage's. */
export function stageSettings(t0) {
  if (t0.format === "groups_playoffs") return t0.settings.group_stage || {};
  return t0.settings || {};
}

/**
 * Boards and chess results: the ``chess`` setting when it is true or false; left unset
 * (null), a Swiss or round robin (or its group stage) is chess when a participant has a FIDE
 * title or FIDE record, or the tournament has a TRF header (it came from, or goes to, a
 * rating officer). Ratings alone say nothing: esports seed by them too.
 */
export function isChess(t0) {
  const s = stageSettings(t0);
  const format = t0.format === "groups_playoffs" ? s.format : t0.format;
  if (!CHESS_FORMATS.has(format)) return false;
  if (s.chess === true || s.chess === false) return s.chess;
  const header = t0.trf_header && Object.keys(t0.trf_header).length > 0;
  return header || t0.participants.some((p) => p.title || p.fide);
}

const MINUS = "−"; // U+2212, as results are printed

/** A decided game as chess writes it, White's first: 1-0, ½-½, 0-1, +/−, −/+, −/−; a
 * pairing-allocated bye as its points; "" while it is to be played. */
export function resultText(m, byePoints = 1) {
  if (m.state !== "complete") return "";
  const [white] = m.slots.map((s) => s.participant_id);
  if (m.result === "bye") return formatHalf(byePoints);
  if (m.result === "double_forfeit") return `${MINUS}/${MINUS}`;
  if (m.result === "forfeit") return m.winner_id === white ? `+/${MINUS}` : `${MINUS}/+`;
  if (m.best_of > 1 && m.scores) return m.scores.map(formatHalf).join("-");
  if (m.result === "draw") return "½-½";
  return m.winner_id === white ? "1-0" : "0-1";
}

/** 0.5 → ½, 2.5 → 2½, as results and scores are written; other numbers as the language
 * writes them (a Sonneborn-Berger of 0.75 is 0,75 in German). */
export function formatHalf(x) {
  const n = Number(x);
  if (!Number.isFinite(n)) return "";
  const whole = Math.trunc(n);
  if (Math.abs(n - whole) === 0.5) return (whole === 0 ? (n < 0 ? "-" : "") : String(whole)) + "½";
  return formatNumber(n);
}

/** The players with a bye they asked for (or a late entry's) in ``round``: [{pid, points}],
 * once that round is paired. */
export function byesIn(t0, round) {
  const out = [];
  for (const p of t0.participants) {
    for (const b of p.byes || []) if (b.round === round) out.push({ pid: p.id, points: b.points, reason: b.reason });
  }
  return out;
}

/** "GM Carlsen, Magnus": a name with its FIDE title. */
export function titled(p) {
  return p ? (p.title ? `${p.title} ${p.name}` : p.name) : "";
}

/** The pairing-allocated bye's points (1 unless the settings say otherwise). */
export function byePoints(t0) {
  const pts = stageSettings(t0).points || {};
  return pts.bye ?? 1;
}

/** The tiebreaks to show, in the order the settings rank by them. */
export function tiebreakers(t0, rows) {
  const configured = stageSettings(t0).tiebreakers || t0.settings.tiebreakers || [];
  const present = new Set(rows.flatMap((r) => Object.keys(r.tiebreaks || {})));
  return configured.filter((k) => k !== "points" && present.has(k));
}
