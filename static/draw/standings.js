// Standings tables, drawn from the server's rows as they are: nothing is tallied here.
import { h } from "./dom.js";
import { formatNumber, t } from "../i18n/i18n.js";

const HIDDEN_TIEBREAKS = ["scored", "wins", "points", "seed"];

/** A table of rows ({rank, participant_id, name, points, wins, draws, losses, tiebreaks}). */
export function standingsTable(rows, { lit = null, caption = t("standings.title"), byPoints = true } = {}) {
  const tb = [];
  for (const r of rows) for (const k of Object.keys(r.tiebreaks || {})) if (!tb.includes(k) && !HIDDEN_TIEBREAKS.includes(k)) tb.push(k);
  const shown = tb.slice(0, 2);
  const draws = byPoints || rows.some((r) => r.draws);
  const col = (key, title) => h("th", { scope: "col", text: t(key), title: title ? t(title) : null });
  const head = h(
    "tr",
    {},
    col("standings.rank"),
    h("th", { scope: "col", class: "left", text: t("standings.name") }),
    byPoints ? col("standings.points", "standings.points_long") : null,
    col("standings.wins", "standings.wins_long"),
    draws ? col("standings.draws", "standings.draws_long") : null,
    col("standings.losses", "standings.losses_long"),
    ...shown.map((k) => col(`tiebreak.${k}`, `tiebreak.${k}_long`)),
  );
  const body = rows.map((r) =>
    h(
      "tr",
      { class: lit === r.participant_id ? "lit" : null },
      h("td", { text: r.rank }),
      h("th", { scope: "row", class: "left side", dataset: { pid: r.participant_id } }, h("span", { class: "nm", text: r.name, title: r.name })),
      byPoints ? h("td", { class: "pts", text: formatNumber(r.points) }) : null,
      h("td", { text: formatNumber(r.wins) }),
      draws ? h("td", { text: formatNumber(r.draws) }) : null,
      h("td", { text: formatNumber(r.losses) }),
      ...shown.map((k) => h("td", { text: formatNumber(r.tiebreaks[k]) })),
    ),
  );
  return h("table", { class: "standings" }, h("caption", { text: caption }), h("thead", {}, head), h("tbody", {}, body));
}

/** Rows of one group (a group stage's rows carry their group). */
export const groupRows = (rows, group) => rows.filter((r) => r.group === group);
