// A Swiss or round robin drawn the way chess players read it: each round a table of boards
// (board, White, result, Black), the byes below it, and standings with every tiebreak the
// tournament ranks by. Used by the viewer's board (draw/board.js), the printable sheets
// (pages/sheet.js) and the operator page.
import { h } from "./dom.js";
import { byePoints, byesIn, formatHalf, resultText, tiebreakers, titled } from "../state/chess.js";
import { t } from "../i18n/i18n.js";

const people = (t0) => new Map(t0.participants.map((p) => [p.id, p]));

/** What drawing a board needs of the tournament: its participants by id, the bye's points. */
export const chessContext = (t0) => ({ byId: people(t0), bye: byePoints(t0) });

function playerCell(p, cls) {
  if (!p) return h("td", { class: cls }, h("span", { class: "nm tbd", text: t("chess.bye") }));
  const status = p.status !== "active" ? h("span", { class: "badge", text: t(`participant_status.${p.status}`) }) : null;
  return h(
    "td",
    { class: `${cls} side`, dataset: { pid: p.id } },
    h("span", { class: "nm", text: titled(p), title: titled(p) }),
    p.rating ? h("span", { class: "rt", text: String(Math.round(p.rating)) }) : null,
    status,
  );
}

/** One board as a table row; ``ctx``: {byId: the participants by id, bye: the bye's points}. */
export function boardRow(m, ctx) {
  const tr = h("tr", { class: "board-row", tabindex: "0" });
  tr.dataset.id = m.id;
  fillRow(tr, m, ctx);
  return tr;
}

export function fillRow(tr, m, ctx) {
  const [w, b] = m.slots.map((s) => s.participant_id);
  const result = resultText(m, ctx.bye);
  tr.className = `board-row s-${m.state}${m.result === "bye" ? " bye" : ""}`;
  const live = m.state === "live" ? t("chess.playing") : "";
  tr.replaceChildren(
    h("td", { class: "bd", text: m.number }),
    playerCell(ctx.byId.get(w), "white"),
    h("td", { class: `res${live ? " live" : ""}`, text: result || live }),
    playerCell(b ? ctx.byId.get(b) : null, "black"),
  );
  const names = [w, b].map((p) => (p ? titled(ctx.byId.get(p)) : t("chess.bye")));
  tr.setAttribute("aria-label", t("chess.describe", { board: m.number, white: names[0], black: names[1], result: result || live || t("chess.to_play") }));
}

/** The round's boards, and below them who had a bye (asked for, or a late entry's). */
export function roundTable(t0, round, matches, { rows = null, caption = null } = {}) {
  const ctx = chessContext(t0);
  const sorted = [...matches].sort((a, b) => a.number - b.number);
  const made = sorted.map((m) => boardRow(m, ctx));
  if (rows) sorted.forEach((m, i) => rows.set(m.id, made[i]));
  const head = h("tr", {}, h("th", { scope: "col", class: "bd", text: t("chess.board") }), h("th", { scope: "col", class: "white", text: t("chess.white") }), h("th", { scope: "col", class: "res", text: t("chess.result") }), h("th", { scope: "col", class: "black", text: t("chess.black") }));
  const table = h("table", { class: "boards" }, h("caption", { text: caption || t("round.n", { n: round }) }), h("thead", {}, head), h("tbody", {}, made));
  const byes = byesIn(t0, round);
  const note = byes.length
    ? h("p", { class: "byes" }, t("chess.byes"), " ", byes.map((b) => `${titled(ctx.byId.get(b.pid))} (${b.points === "half" ? "½" : "0"})`).join(", "))
    : null;
  return h("div", { class: "round-boards", dataset: { round: String(round) } }, table, note);
}

// the tiebreaks the bracket's tables leave out, named here: a chess table shows every one
const TIEBREAK_LABELS = {
  wins: ["chess.tb_wins", "chess.tb_wins_long"],
  scored: ["chess.tb_scored", "chess.tb_scored_long"],
  seed: ["chess.tb_seed", "chess.tb_seed_long"],
};
const tiebreakLabel = (k) => TIEBREAK_LABELS[k] || [`tiebreak.${k}`, `tiebreak.${k}_long`];

/** Standings with every tiebreak ranked by, the player's title, rating and status. */
export function chessStandings(t0, rows, { lit = null, caption = t("standings.title") } = {}) {
  const byId = people(t0);
  const tb = tiebreakers(t0, rows);
  const col = (text, title, cls = null) => h("th", { scope: "col", class: cls, text, title });
  const head = h(
    "tr",
    {},
    col(t("standings.rank")),
    col(t("standings.name"), null, "left"),
    col(t("chess.rating"), null, "rating"),
    col(t("standings.points"), t("standings.points_long")),
    ...tb.map((k) => col(t(tiebreakLabel(k)[0]), t(tiebreakLabel(k)[1]))),
  );
  const body = rows.map((r) => {
    const p = byId.get(r.participant_id);
    const status = r.status && r.status !== "active" ? h("span", { class: "badge", text: t(`participant_status.${r.status}`) }) : null;
    return h(
      "tr",
      { class: [lit === r.participant_id ? "lit" : "", r.status && r.status !== "active" ? "out" : ""].join(" ").trim() || null },
      h("td", { text: r.rank }),
      h("th", { scope: "row", class: "left side", dataset: { pid: r.participant_id } }, h("span", { class: "nm", text: titled(p) || r.name, title: r.name }), status),
      h("td", { class: "rating", text: p && p.rating ? String(Math.round(p.rating)) : "" }),
      h("td", { class: "pts", text: formatHalf(r.points) }),
      ...tb.map((k) => h("td", { text: formatHalf(r.tiebreaks[k]) })),
    );
  });
  return h("table", { class: "standings chess" }, h("caption", { text: caption }), h("thead", {}, head), h("tbody", {}, body));
}

/**
 * A group's section of the board in the chess look: its standings, then its rounds as tables
 * of boards, the latest first. The rows go into the board's map of drawn matches, so that live updates find them.
 */
export function chessSection(board, sec) {
  const id = `sec-${sec.key}`;
  const box = h("section", { class: "stage stage-table stage-chess", "aria-labelledby": id });
  box.dataset.key = sec.key;
  box.append(h("h2", { id, text: sec.title }));
  const slot = h("div", { class: "standings-slot" });
  slot.dataset.group = String(sec.group);
  const rounds = [...sec.columns].reverse().map((col) => roundTable(board.t, col.round, col.matches, { rows: board.els, caption: col.title }));
  box.append(h("div", { class: "stage-body" }, slot, h("div", { class: "chess-rounds" }, rounds)));
  return box;
}
