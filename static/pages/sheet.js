// Printable sheets of a Swiss or round robin (/t/{tid}?sheet=round&round=N, ?sheet=standings):
// a round's boards (board, White, result, Black; the results to fill in by hand left blank)
// and the standings with every tiebreak, laid out for paper by print.css. On screen, a button
// prints them.
import { h } from "../draw/dom.js";
import { chessStandings, roundTable } from "../draw/chess.js";
import { groupLetter } from "../state/labels.js";
import { formatDate, t } from "../i18n/i18n.js";

const PLAYED = new Set(["swiss", "group"]);

/** The rounds there are (of the stage played in rounds), and the one being played. */
export function roundsOf(t0) {
  const ms = t0.matches.filter((m) => PLAYED.has(m.bracket));
  const rounds = [...new Set(ms.map((m) => m.round))].sort((a, b) => a - b);
  const open = rounds.find((r) => ms.some((m) => m.round === r && m.state !== "complete"));
  return { rounds, current: open ?? rounds[rounds.length - 1] ?? null };
}

function heading(t0, title) {
  const when = t0.started_at ? formatDate(t0.started_at).split(",")[0] : "";
  return h("header", { class: "sheet-head" }, h("h2", { text: t0.name }), h("p", { class: "meta", text: [title, when].filter(Boolean).join(" · ") }));
}

function printButton() {
  return h("p", { class: "sheet-actions" }, h("button", { type: "button", id: "print", onclick: () => window.print(), text: t("sheet.print") }));
}

/** The round sheet: every group's boards of round ``round`` (the current one if not given). */
function roundSheet(t0, round) {
  const { current } = roundsOf(t0);
  const r = round ?? current;
  const ms = t0.matches.filter((m) => PLAYED.has(m.bracket) && m.round === r);
  if (r === null || !ms.length) return [h("p", { class: "empty", text: t("sheet.no_round") })];
  const groups = [...new Set(ms.map((m) => m.group ?? 1))].sort((a, b) => a - b);
  const caption = (g) => (groups.length > 1 ? t("section.group", { group: groupLetter(g) }) : t("round.n", { n: r }));
  return [heading(t0, t("sheet.round_title", { n: r })), ...groups.map((g) => roundTable(t0, r, ms.filter((m) => (m.group ?? 1) === g), { caption: caption(g) }))];
}

function standingsSheet(t0, rows) {
  if (!rows) return [h("p", { class: "empty", text: t("common.loading") })];
  const groups = [...new Set(rows.map((r) => r.group ?? 1))].sort((a, b) => a - b);
  const tables = groups.map((g) => {
    const mine = rows.filter((r) => (r.group ?? 1) === g);
    const caption = groups.length > 1 ? t("section.group", { group: groupLetter(g) }) : t("standings.title");
    return chessStandings(t0, mine, { caption });
  });
  const played = roundsOf(t0).rounds.filter((r) => t0.matches.every((m) => !PLAYED.has(m.bracket) || m.round !== r || m.state === "complete"));
  const after = played.length ? t("sheet.after_round", { n: played[played.length - 1] }) : "";
  return [heading(t0, [t("standings.title"), after].filter(Boolean).join(", ")), ...tables];
}

/** Draw the sheet ``opts.sheet`` ("round" or "standings") into ``root``. */
export function drawSheet(root, t0, opts, standingsRows) {
  document.documentElement.classList.add("sheet-page");
  const body = opts.sheet === "standings" ? standingsSheet(t0, standingsRows) : roundSheet(t0, opts.round);
  root.replaceChildren(h("section", { class: `sheet sheet-${opts.sheet}` }, printButton(), body));
}
