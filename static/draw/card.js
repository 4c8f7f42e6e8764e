// One match as a card: its label, state (and the live detail), and its two sides with seeds,
// names and scores. Shared by the bracket, the round lists and the operator page.
import { h } from "./dom.js";
import { detailText } from "./detail.js";
import { matchLabel, matchState } from "../state/labels.js";
import { formatNumber, t } from "../i18n/i18n.js";

/** The station a match being played (or about to be) is called to: its name, else "". */
export function calledTo(m) {
  return (m.state === "ready" || m.state === "live") && m.station ? m.station.name : "";
}

export class Cards {
  constructor() {
    this.t = null;
    this.names = new Map();
    this.seeds = new Map();
    this.byId = new Map();
    this.lit = null;
    this.fits = new Map(); // name -> how much it must shrink to fit a card (draw/fit.js)
  }

  /** Take the tournament whose matches are drawn next (names, seeds, match lookups). */
  use(t0) {
    this.t = t0;
    this.names = new Map(t0.participants.map((p) => [p.id, p.name]));
    this.seeds = new Map(t0.participants.map((p) => [p.id, p.seed]));
    this.byId = new Map(t0.matches.map((m) => [m.id, m]));
  }

  name(pid) {
    return pid ? this.names.get(pid) || "?" : t("side.tbd");
  }

  card(m, tag = "div") {
    const card = h(tag, { class: "match", role: "listitem", tabindex: "0" });
    card.dataset.id = m.id;
    this.fill(card, m);
    return card;
  }

  fill(card, m) {
    card.className = `match s-${m.state}${m.result === "bye" ? " bye" : ""}${this.unneeded(m) ? " unneeded" : ""}`;
    if (this.lit && m.slots.some((s) => s.participant_id === this.lit)) card.classList.add("on-path");
    const detail = m.state === "live" ? detailText(m.live) : "";
    const at = calledTo(m);
    const head = h(
      "div",
      { class: "mh" },
      h("span", { class: "ml", text: matchLabel(m) }),
      at ? h("span", { class: "mst", text: at, title: at }) : null,
      detail ? h("span", { class: "md", text: detail, title: detail }) : null,
      h("span", { class: "ms", text: matchState(m) }),
    );
    card.replaceChildren(head, ...m.slots.map((s, i) => this.side(m, s, i)));
    card.setAttribute("aria-label", this.describe(m, detail));
  }

  side(m, s, i) {
    const pid = s.participant_id;
    let cls = "side";
    if (m.winner_id && pid === m.winner_id) cls += " win";
    else if (m.winner_id && pid && pid === m.loser_id) cls += " lose";
    else if (m.state === "complete" && m.result === "draw") cls += " draw";
    let name;
    if (pid) {
      const text = this.name(pid);
      const fit = this.fits.get(text);
      name = h("span", { class: fit ? `nm fit-${fit}` : "nm", text, title: text });
    }
    else if (s.from) {
      const src = this.byId.get(s.from.match_id);
      const key = s.from.outcome === "loser" ? "side.loser_of" : "side.winner_of";
      name = h("span", { class: "nm tbd", text: t(key, { match: src ? matchLabel(src) : "?" }) });
    } else name = h("span", { class: "nm tbd", text: m.result === "bye" || m.state !== "pending" ? t("side.bye") : t("side.tbd") });
    const el = h("div", { class: cls }, h("span", { class: "seed", text: pid ? (this.seeds.get(pid) ?? "") : "" }), name, h("span", { class: "sc", text: this.score(m, i, pid) }));
    if (pid) {
      el.dataset.pid = pid;
      if (pid === this.lit) el.classList.add("lit");
    }
    return el;
  }

  score(m, i, pid) {
    const score = m.scores ? m.scores[i] : null;
    if (score !== null && score !== undefined) return formatNumber(score);
    if ((m.result === "forfeit" || m.result === "double_forfeit") && pid) return pid === m.winner_id ? t("score.win") : t("score.forfeit");
    return "";
  }

  /** A grand final reset that will not be played (the winners' finalist won the first one). */
  unneeded(m) {
    if (m.bracket !== "grand_final" || m.round !== 2 || m.state === "complete" || m.state === "live") return false;
    const first = this.t.matches.find((x) => x.bracket === "grand_final" && x.round === 1);
    return !!first && first.state === "complete" && this.t.state === "complete";
  }

  describe(m, detail) {
    const [a, b] = m.slots.map((s) => (s.participant_id ? this.name(s.participant_id) : t("side.to_be_decided")));
    const parts = [t("describe.match", { label: matchLabel(m), a, b })];
    if (calledTo(m)) parts.push(t("describe.station", { station: calledTo(m) }));
    if (m.scores) parts.push(t("describe.score", { scores: m.scores.map(formatNumber).join(" – ") }));
    parts.push(matchState(m));
    if (detail) parts.push(detail);
    if (m.winner_id) parts.push(t("describe.won", { name: this.name(m.winner_id) }));
    if (m.result === "draw") parts.push(t("describe.draw"));
    return parts.join(", ");
  }
}
