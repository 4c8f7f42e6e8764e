// The bracket: matches grouped into sections (brackets, groups), each a row of round columns.
// Elimination brackets are joined by connector lines; group and Swiss stages sit beside their
// standings (the server's rows). Live updates touch only the changed cards.
import { h } from "./dom.js";
import { Cards } from "./card.js";
import { chessContext, chessSection, chessStandings, fillRow } from "./chess.js";
import { groupRows, standingsTable } from "./standings.js";
import { isChess } from "../state/chess.js";
import { sections } from "../state/sections.js";
import { t } from "../i18n/i18n.js";

const SVG = "http://www.w3.org/2000/svg";

export class Board {
  /** opts: {onMatch(match)}: a click on a card calls it (the operator page) instead of pinning. */
  constructor(root, opts = {}) {
    this.root = root;
    this.opts = opts;
    this.cards = new Cards();
    this.els = new Map(); // match id -> card element
    this.edges = new Map(); // match id -> connector path to its winner_to
    this.key = "";
    this.t = null;
    this.groupStandings = null;
    this.pinned = null;
    this.svgs = [];
    root.addEventListener("pointerover", (e) => {
      const s = e.target.closest?.(".side[data-pid]");
      if (s) this.highlight(s.dataset.pid);
    });
    root.addEventListener("pointerout", (e) => {
      const s = e.target.closest?.(".side[data-pid]");
      if (s && !s.contains(e.relatedTarget)) this.highlight(this.pinned);
    });
    root.addEventListener("click", (e) => this.clicked(e));
    root.addEventListener("keydown", (e) => this.keyed(e));
    if (typeof ResizeObserver !== "undefined") {
      let w = 0;
      new ResizeObserver(() => {
        if (root.scrollWidth !== w) {
          w = root.scrollWidth;
          requestAnimationFrame(() => this.drawConnectors());
        }
      }).observe(root);
    }
  }

  clicked(e) {
    const card = e.target.closest?.(".match, .board-row");
    if (this.opts.onMatch && card) {
      this.opts.onMatch(this.cards.byId.get(card.dataset.id));
      return;
    }
    const s = e.target.closest?.(".side[data-pid]");
    if (s) this.pin(this.pinned === s.dataset.pid ? null : s.dataset.pid);
  }

  keyed(e) {
    const card = e.target.closest?.(".match, .board-row");
    if (!card || (e.key !== "Enter" && e.key !== " ")) return;
    e.preventDefault();
    const m = this.cards.byId.get(card.dataset.id);
    if (this.opts.onMatch) this.opts.onMatch(m);
    else this.pin(m.slots.map((s) => s.participant_id).find((p) => p && p !== this.pinned) || null);
  }

  pin(pid) {
    this.pinned = pid;
    this.highlight(pid);
    this.root.dispatchEvent(new CustomEvent("pin", { detail: pid, bubbles: true }));
  }

  highlight(pid) {
    if (pid === this.cards.lit) return;
    this.root.querySelectorAll(".lit, .on-path").forEach((el) => el.classList.remove("lit", "on-path"));
    this.root.classList.toggle("highlighting", !!pid);
    this.cards.lit = pid;
    if (!pid || !this.t) return;
    for (const s of this.root.querySelectorAll(`.side[data-pid="${CSS.escape(pid)}"]`)) {
      s.classList.add("lit");
      s.closest(".match, tr")?.classList.add(s.closest(".match") ? "on-path" : "lit");
    }
    for (const m of this.t.matches) if (m.winner_id === pid) this.edges.get(m.id)?.classList.add("lit");
  }

  /**
   * Draw ``matches`` (default: all of the tournament's). If the same matches and names are
   * drawn already, only the cards are refreshed. Returns true when the structure was redrawn.
   */
  render(t0, matches = t0.matches) {
    this.t = t0;
    this.cards.use(t0);
    this.chess = isChess(t0); // Swiss and round robin boards: White, Black, 1-0 (draw/chess.js)
    const key = matches.map((m) => m.id).join(",") + "|" + t0.participants.map((p) => p.id + p.name + p.status + p.title).join(",") + (this.chess ? "|chess" : "");
    if (key === this.key && this.els.size) {
      for (const m of matches) this.updateMatch(m);
      this.drawStandings();
      return false;
    }
    this.key = key;
    this.els.clear();
    this.edges.clear();
    this.svgs = [];
    const frag = document.createDocumentFragment();
    for (const sec of sections(t0, matches)) frag.append(this.section(sec));
    if (!matches.length) frag.append(h("p", { class: "empty", text: t(t0.state === "pending" ? "board.not_drawn" : "board.no_matches") }));
    this.root.replaceChildren(frag);
    this.drawStandings();
    const pid = this.cards.lit;
    this.cards.lit = null;
    this.highlight(pid);
    requestAnimationFrame(() => this.drawConnectors());
    return true;
  }

  section(sec) {
    if (this.chess && sec.kind === "table") return chessSection(this, sec);
    const id = `sec-${sec.key}`;
    const box = h("section", { class: `stage stage-${sec.kind}`, "aria-labelledby": id });
    box.dataset.key = sec.key;
    box.append(h("h2", { id, text: sec.title }));
    const body = h("div", { class: sec.kind === "elim" ? "bracket" : "rounds" });
    for (const col of sec.columns) {
      const list = h("div", { class: "round-matches" }, col.matches.map((m) => this.card(m)));
      body.append(h("div", { class: "round", role: "list", "aria-label": col.title }, h("h3", { class: "round-title", text: col.title }), list));
    }
    const scroller = h("div", { class: "scroller", tabindex: "0", "aria-label": t("board.scrollable", { title: sec.title }) }, body);
    if (sec.kind === "elim") {
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("class", "connectors");
      svg.setAttribute("aria-hidden", "true");
      body.prepend(svg);
      this.svgs.push({ svg, body });
      box.append(scroller);
    } else {
      const slot = h("div", { class: "standings-slot" });
      slot.dataset.group = String(sec.group);
      box.append(h("div", { class: "stage-body" }, slot, scroller));
    }
    return box;
  }

  card(m) {
    const el = this.cards.card(m);
    this.els.set(m.id, el);
    return el;
  }

  /** Apply a changed match. Returns false when it is not drawn (render() is needed). */
  updateMatch(m) {
    const el = this.els.get(m.id);
    if (!el) return false;
    this.cards.byId.set(m.id, m);
    if (el.classList.contains("board-row")) fillRow(el, m, chessContext(this.t));
    else this.cards.fill(el, m);
    this.edges.get(m.id)?.classList.toggle("lit", !!this.cards.lit && m.winner_id === this.cards.lit);
    return true;
  }

  /** The group stage's tables, from the server (rows carry their group). */
  setGroupStandings(rows) {
    this.groupStandings = rows;
    this.drawStandings();
  }

  drawStandings() {
    const rows = this.groupStandings;
    for (const slot of this.root.querySelectorAll(".standings-slot")) {
      const mine = rows ? groupRows(rows, Number(slot.dataset.group)) : [];
      const table = this.chess ? chessStandings(this.t, mine, { lit: this.cards.lit }) : standingsTable(mine, { lit: this.cards.lit });
      slot.replaceChildren(...(mine.length ? [table] : []));
    }
  }

  /** Connector lines, drawn after layout: one batch of reads, then one write per bracket. */
  drawConnectors() {
    for (const { svg, body } of this.svgs) {
      if (!body.isConnected) continue;
      const pos = new Map();
      for (const card of body.querySelectorAll(".match")) pos.set(card.dataset.id, [card.offsetLeft, card.offsetTop, card.offsetWidth, card.offsetHeight]);
      const head = body.querySelector(".mh")?.offsetHeight || 14;
      const frag = document.createDocumentFragment();
      for (const m of this.t.matches) {
        const to = m.next && m.next.winner_to;
        const a = pos.get(m.id);
        const b = to && pos.get(to);
        if (!a || !b) continue;
        const target = this.cards.byId.get(to);
        const slot = target ? target.slots.findIndex((s) => s.from && s.from.match_id === m.id) : -1;
        const x1 = a[0] + a[2];
        const y1 = a[1] + head + (a[3] - head) / 2;
        const x2 = b[0];
        const y2 = b[1] + head + (slot === 1 ? 0.75 : slot === 0 ? 0.25 : 0.5) * (b[3] - head);
        const xm = x1 + Math.max(6, (x2 - x1) / 2);
        const p = document.createElementNS(SVG, "path");
        p.setAttribute("d", `M${x1} ${y1}H${xm}V${y2}H${x2}`);
        if (this.cards.lit && m.winner_id === this.cards.lit) p.setAttribute("class", "lit");
        this.edges.set(m.id, p);
        frag.append(p);
      }
      svg.replaceChildren(frag);
    }
  }
}
