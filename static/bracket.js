// Draws any tournament from its match list: matches grouped by bracket, then round.
// Elimination brackets are columns of rounds joined by connector lines; group and Swiss stages
// are rounds of matches beside their standings. Live updates touch only the changed cards.
import { fmtNumber, h } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const ELIM = new Set(["winners", "losers", "grand_final", "third_place"]);
const ORDER = ["group", "swiss", "winners", "grand_final", "losers", "third_place"];
const STATE_TEXT = { pending: "Waiting", ready: "Ready", live: "Live", complete: "Done" };
const BRACKET_SHORT = { winners: "W", losers: "L", grand_final: "GF", third_place: "3rd", group: "G", swiss: "S" };

export function groupLetter(g) {
  if (!g) return "";
  let s = "";
  let n = Number(g);
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function matchLabel(m) {
  const b = BRACKET_SHORT[m.bracket] || m.bracket;
  if (m.bracket === "grand_final") return m.round === 2 ? "GF reset" : "GF";
  if (m.bracket === "third_place") return "3rd place";
  if (m.bracket === "swiss") return `R${m.round}.${m.number}${m.group > 1 ? groupLetter(m.group) : ""}`;
  if (m.bracket === "group") return `${groupLetter(m.group || 1)}${m.round}.${m.number}`;
  return `${b}${m.round}.${m.number}`;
}

function roundName(bracket, r, rounds, hasLosers) {
  if (bracket === "grand_final") return r === 2 ? "Grand final reset" : "Grand final";
  if (bracket === "third_place") return "Third place";
  if (bracket === "losers") return r === rounds ? "Losers final" : `Losers round ${r}`;
  if (bracket === "winners") {
    const left = rounds - r;
    if (left === 0) return hasLosers ? "Winners final" : "Final";
    if (left === 1) return hasLosers ? "Winners semifinals" : "Semifinals";
    if (left === 2 && !hasLosers) return "Quarterfinals";
    return hasLosers ? `Winners round ${r}` : `Round ${r}`;
  }
  return `Round ${r}`;
}

/** The champion of a complete tournament, from its deciding match or its standings. */
export function champion(t, standings) {
  if (t.state !== "complete") return null;
  const decided = (m) => m.state === "complete" && m.winner_id && m.result !== "bye";
  const gf = t.matches.filter((m) => m.bracket === "grand_final" && decided(m));
  if (gf.length) return gf.sort((a, b) => b.round - a.round)[0].winner_id;
  const finals = t.matches.filter((m) => m.bracket === "winners" && !m.next.winner_to && decided(m));
  if (finals.length) return finals.sort((a, b) => b.round - a.round)[0].winner_id;
  if (standings && standings.length) return standings[0].participant_id;
  return null;
}

export class Board {
  /** opts: {onMatch(match), compact} */
  constructor(root, opts = {}) {
    this.root = root;
    this.opts = opts;
    this.cards = new Map(); // match id -> card element
    this.sides = new Map(); // participant id -> Set of side elements
    this.edges = new Map(); // match id -> connector path element to its winner_to
    this.names = new Map();
    this.seeds = new Map();
    this.key = "";
    this.t = null;
    this.standings = null;
    this.lit = null;
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
    root.addEventListener("click", (e) => {
      const s = e.target.closest?.(".side[data-pid]");
      const card = e.target.closest?.(".match");
      if (this.opts.onMatch && card) {
        this.opts.onMatch(this.t.matches.find((m) => m.id === card.dataset.id));
        return;
      }
      if (s) this.pin(this.pinned === s.dataset.pid ? null : s.dataset.pid);
    });
    root.addEventListener("keydown", (e) => {
      const card = e.target.closest?.(".match");
      if (!card || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      const m = this.t.matches.find((x) => x.id === card.dataset.id);
      if (this.opts.onMatch) this.opts.onMatch(m);
      else {
        const pid = m.slots.map((s) => s.participant_id).find((p) => p && p !== this.pinned);
        this.pin(pid || null);
      }
    });
    if (typeof ResizeObserver !== "undefined") {
      let w = 0;
      new ResizeObserver(() => {
        if (root.clientWidth !== w) {
          w = root.clientWidth;
          requestAnimationFrame(() => this.drawConnectors());
        }
      }).observe(root);
    }
  }

  pin(pid) {
    this.pinned = pid;
    this.highlight(pid);
    this.root.dispatchEvent(new CustomEvent("pin", { detail: pid, bubbles: true }));
  }

  highlight(pid) {
    if (pid === this.lit) return;
    this.root.querySelectorAll(".lit, .on-path").forEach((el) => el.classList.remove("lit", "on-path"));
    this.root.classList.toggle("highlighting", !!pid);
    this.lit = pid;
    if (!pid) return;
    for (const s of this.sides.get(pid) || []) {
      s.classList.add("lit");
      s.closest(".match")?.classList.add("on-path");
    }
    for (const m of this.t.matches) {
      if (m.winner_id === pid && this.edges.has(m.id)) this.edges.get(m.id).classList.add("lit");
    }
  }

  /** Draw everything; if the set of matches is the same as before, only refresh the cards. */
  render(t, standings = this.standings) {
    this.t = t;
    this.standings = standings;
    this.names = new Map(t.participants.map((p) => [p.id, p.name]));
    this.seeds = new Map(t.participants.map((p) => [p.id, p.seed]));
    const key = t.matches.map((m) => m.id).join(",") + "|" + t.participants.map((p) => p.id + p.name).join(",");
    if (key === this.key && this.cards.size) {
      for (const m of t.matches) this.updateMatch(m);
      this.renderStandings();
      return;
    }
    this.key = key;
    this.cards.clear();
    this.sides.clear();
    this.edges.clear();
    this.svgs = [];
    const frag = document.createDocumentFragment();
    for (const sec of sections(t)) frag.append(this.section(sec));
    if (!t.matches.length) {
      frag.append(h("p", { class: "empty", text: t.state === "pending" ? "The draw is made when the tournament starts." : "No matches." }));
    }
    this.root.replaceChildren(frag);
    this.renderStandings();
    const pid = this.lit;
    this.lit = null;
    this.highlight(pid);
    requestAnimationFrame(() => this.drawConnectors());
  }

  section(sec) {
    const id = `sec-${sec.key}`;
    const box = h("section", { class: `stage stage-${sec.kind}`, "aria-labelledby": id });
    box.append(h("h2", { id, text: sec.title }));
    const body = h("div", { class: sec.kind === "elim" ? "bracket" : "rounds" });
    body.dataset.key = sec.key;
    const hasLosers = this.t.matches.some((m) => m.bracket === "losers");
    for (const col of sec.columns) {
      const c = h("div", { class: "round", role: "list", "aria-label": col.title });
      c.append(h("h3", { class: "round-title", text: col.title }));
      const list = h("div", { class: "round-matches" });
      for (const m of col.matches) list.append(this.card(m, hasLosers));
      c.append(list);
      body.append(c);
    }
    if (sec.kind === "elim") {
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("class", "connectors");
      svg.setAttribute("aria-hidden", "true");
      body.prepend(svg);
      this.svgs.push({ svg, body });
      box.append(h("div", { class: "scroller", tabindex: "0", "aria-label": `${sec.title}, scrollable` }, body));
    } else {
      const wrap = h("div", { class: "stage-body" });
      if (sec.group !== undefined) {
        const st = h("div", { class: "standings-slot" });
        st.dataset.group = String(sec.group ?? "");
        wrap.append(st);
      }
      wrap.append(h("div", { class: "scroller", tabindex: "0", "aria-label": `${sec.title} matches, scrollable` }, body));
      box.append(wrap);
    }
    return box;
  }

  card(m) {
    const card = h("div", { class: "match", role: "listitem", tabindex: "0" });
    card.dataset.id = m.id;
    this.cards.set(m.id, card);
    this.fill(card, m);
    return card;
  }

  fill(card, m) {
    card.className = `match s-${m.state}${m.result === "bye" ? " bye" : ""}${this.unneeded(m) ? " unneeded" : ""}`;
    if (this.lit && m.slots.some((s) => s.participant_id === this.lit)) card.classList.add("on-path");
    const head = h("div", { class: "mh" }, h("span", { class: "ml", text: matchLabel(m) }), h("span", { class: "ms", text: m.result === "bye" ? "Bye" : STATE_TEXT[m.state] || m.state }));
    const sides = m.slots.map((s, i) => this.side(m, s, i));
    card.replaceChildren(head, ...sides);
    card.setAttribute("aria-label", this.describe(m));
  }

  side(m, s, i) {
    const pid = s.participant_id;
    const score = m.scores ? m.scores[i] : null;
    let cls = "side";
    if (m.winner_id && pid === m.winner_id) cls += " win";
    else if (m.winner_id && pid && pid === m.loser_id) cls += " lose";
    else if (m.state === "complete" && m.result === "draw") cls += " draw";
    let name;
    if (pid) name = h("span", { class: "nm", text: this.names.get(pid) || "?", title: this.names.get(pid) || "" });
    else if (s.from) {
      const src = this.t.matches.find((x) => x.id === s.from.match_id);
      const what = `${s.from.outcome === "loser" ? "Loser" : "Winner"} of ${src ? matchLabel(src) : "?"}`;
      name = h("span", { class: "nm tbd", text: what });
    } else name = h("span", { class: "nm tbd", text: m.result === "bye" || m.state !== "pending" ? "bye" : "TBD" });
    const el = h(
      "div",
      { class: cls },
      h("span", { class: "seed", text: pid ? (this.seeds.get(pid) ?? "") : "" }),
      name,
      h("span", { class: "sc", text: score === null || score === undefined ? (m.result === "forfeit" && pid ? (pid === m.winner_id ? "W" : "F") : "") : fmtNumber(score) }),
    );
    if (pid) {
      el.dataset.pid = pid;
      if (pid === this.lit) el.classList.add("lit");
      let set = this.sides.get(pid);
      if (!set) this.sides.set(pid, (set = new Set()));
      set.add(el);
    }
    return el;
  }

  unneeded(m) {
    if (m.bracket !== "grand_final" || m.round !== 2 || m.state === "complete" || m.state === "live") return false;
    const first = this.t.matches.find((x) => x.bracket === "grand_final" && x.round === 1);
    return !!first && first.state === "complete" && this.t.state === "complete";
  }

  describe(m) {
    const nm = (s) => (s.participant_id ? this.names.get(s.participant_id) : "to be decided");
    const [a, b] = m.slots;
    let text = `${matchLabel(m)}: ${nm(a)} versus ${nm(b)}`;
    if (m.scores) text += `, score ${m.scores.map(fmtNumber).join(" to ")}`;
    text += `, ${STATE_TEXT[m.state] || m.state}`;
    if (m.winner_id) text += `, ${this.names.get(m.winner_id)} won`;
    if (m.result === "draw") text += ", a draw";
    return text;
  }

  /** Apply changed matches. Returns false when the structure changed and render() is needed. */
  updateMatch(m) {
    const card = this.cards.get(m.id);
    if (!card) return false;
    for (const s of card.querySelectorAll(".side[data-pid]")) this.sides.get(s.dataset.pid)?.delete(s);
    this.fill(card, m);
    const edge = this.edges.get(m.id);
    if (edge) edge.classList.toggle("lit", !!this.lit && m.winner_id === this.lit);
    return true;
  }

  setStandings(standings) {
    this.standings = standings;
    this.renderStandings();
  }

  renderStandings() {
    const st = this.standings;
    for (const slot of this.root.querySelectorAll(".standings-slot")) {
      if (!st || !st.length) {
        slot.replaceChildren();
        continue;
      }
      const g = slot.dataset.group;
      let rows;
      if (g === "") rows = st;
      else if (st.some((r) => r.group !== undefined && r.group !== null)) rows = st.filter((r) => String(r.group) === g);
      else rows = localTable(this.t, Number(g));
      slot.replaceChildren(standingsTable(rows, this));
    }
  }

  /** Connector lines, drawn after layout with one batch of reads then one write per bracket. */
  drawConnectors() {
    for (const { svg, body } of this.svgs) {
      if (!body.isConnected) continue;
      const pos = new Map();
      for (const card of body.querySelectorAll(".match")) {
        pos.set(card.dataset.id, [card.offsetLeft, card.offsetTop, card.offsetWidth, card.offsetHeight]);
      }
      svg.setAttribute("width", body.scrollWidth);
      svg.setAttribute("height", body.scrollHeight);
      const frag = document.createDocumentFragment();
      for (const m of this.t.matches) {
        const to = m.next && m.next.winner_to;
        const a = pos.get(m.id);
        const b = to && pos.get(to);
        if (!a || !b) continue;
        const target = this.t.matches.find((x) => x.id === to);
        const slot = target ? target.slots.findIndex((s) => s.from && s.from.match_id === m.id) : -1;
        const x1 = a[0] + a[2];
        const y1 = a[1] + a[3] / 2 + 7;
        const x2 = b[0];
        const y2 = b[1] + 14 + (slot === 1 ? 0.75 : slot === 0 ? 0.25 : 0.5) * (b[3] - 14);
        const xm = x1 + Math.max(6, (x2 - x1) / 2);
        const p = document.createElementNS(SVG, "path");
        p.setAttribute("d", `M${x1} ${y1}H${xm}V${y2}H${x2}`);
        if (this.lit && m.winner_id === this.lit) p.setAttribute("class", "lit");
        this.edges.set(m.id, p);
        frag.append(p);
      }
      svg.replaceChildren(frag);
    }
  }
}

/** A group's table from its matches alone (used once the server's standings cover the playoff). */
function localTable(t, group) {
  const pts = (t.settings.group_stage && t.settings.group_stage.points) || t.settings.points || { win: 3, draw: 1, loss: 0 };
  const rows = new Map();
  const row = (pid) => {
    if (!rows.has(pid)) {
      const p = t.participants.find((x) => x.id === pid);
      rows.set(pid, { participant_id: pid, name: p ? p.name : "?", points: 0, wins: 0, draws: 0, losses: 0, scored: 0, conceded: 0, tiebreaks: {} });
    }
    return rows.get(pid);
  };
  for (const m of t.matches) {
    if ((m.bracket !== "group" && m.bracket !== "swiss") || m.group !== group) continue;
    const ids = m.slots.map((s) => s.participant_id);
    ids.forEach((pid) => pid && row(pid));
    if (m.state !== "complete" || !ids[0] || !ids[1]) continue;
    ids.forEach((pid, i) => {
      const r = row(pid);
      if (m.scores) {
        r.scored += Number(m.scores[i]) || 0;
        r.conceded += Number(m.scores[1 - i]) || 0;
      }
      if (m.winner_id === pid) (r.wins += 1), (r.points += pts.win ?? 3);
      else if (m.winner_id) (r.losses += 1), (r.points += pts.loss ?? 0);
      else (r.draws += 1), (r.points += pts.draw ?? 1);
    });
  }
  const out = [...rows.values()];
  for (const r of out) r.tiebreaks = { score_difference: r.scored - r.conceded };
  out.sort((a, b) => b.points - a.points || b.tiebreaks.score_difference - a.tiebreaks.score_difference || b.scored - a.scored);
  out.forEach((r, i) => (r.rank = i > 0 && out[i - 1].points === r.points && out[i - 1].tiebreaks.score_difference === r.tiebreaks.score_difference && out[i - 1].scored === r.scored ? out[i - 1].rank : i + 1));
  return out;
}

function standingsTable(rows, board) {
  const tbKeys = [];
  for (const r of rows) for (const k of Object.keys(r.tiebreaks || {})) if (!tbKeys.includes(k)) tbKeys.push(k);
  const shown = tbKeys.filter((k) => !["scored", "wins", "points", "seed"].includes(k)).slice(0, 2);
  const label = { buchholz: "Bh", buchholz_cut1: "Bh-1", sonneborn_berger: "SB", head_to_head: "H2H", score_difference: "+/-" };
  const head = h(
    "tr",
    {},
    h("th", { scope: "col", text: "#" }),
    h("th", { scope: "col", class: "left", text: "Name" }),
    h("th", { scope: "col", text: "Pts", title: "Points" }),
    h("th", { scope: "col", text: "W", title: "Wins" }),
    h("th", { scope: "col", text: "D", title: "Draws" }),
    h("th", { scope: "col", text: "L", title: "Losses" }),
    ...shown.map((k) => h("th", { scope: "col", text: label[k] || k, title: k.replace(/_/g, " ") })),
  );
  const body = rows.map((r) =>
    h(
      "tr",
      { class: board.lit === r.participant_id ? "lit" : "" },
      h("td", { text: r.rank }),
      h("th", { scope: "row", class: "left side", dataset: { pid: r.participant_id } }, h("span", { class: "nm", text: r.name })),
      h("td", { class: "pts", text: fmtNumber(r.points) }),
      h("td", { text: r.wins }),
      h("td", { text: r.draws }),
      h("td", { text: r.losses }),
      ...shown.map((k) => h("td", { text: fmtNumber(r.tiebreaks[k]) })),
    ),
  );
  return h("table", { class: "standings" }, h("caption", { text: "Standings" }), h("thead", {}, head), h("tbody", {}, body));
}

/** Split the matches into drawable sections: one per group stage group, one per elimination bracket. */
export function sections(t) {
  const by = new Map();
  for (const m of t.matches) {
    const elim = ELIM.has(m.bracket);
    let key = m.bracket;
    if (!elim) key = `${m.bracket}-${m.group ?? 0}`;
    if (m.bracket === "grand_final") key = "winners";
    if (!by.has(key)) by.set(key, []);
    by.get(key).push(m);
  }
  const hasLosers = t.matches.some((m) => m.bracket === "losers");
  const rank = (k) => {
    const b = k.split("-")[0];
    const i = ORDER.indexOf(b);
    return i < 0 ? ORDER.length : i;
  };
  const keys = [...by.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true }));
  const groupCount = new Set(t.matches.filter((m) => !ELIM.has(m.bracket)).map((m) => m.group)).size;
  const out = [];
  for (const key of keys) {
    const ms = by.get(key);
    const bracket = ms[0].bracket === "grand_final" ? "winners" : ms[0].bracket;
    const cols = new Map();
    for (const m of ms) {
      const ck = `${m.bracket}:${m.round}`;
      if (!cols.has(ck)) cols.set(ck, { bracket: m.bracket, round: m.round, matches: [] });
      cols.get(ck).matches.push(m);
    }
    const colList = [...cols.values()].sort((a, b) => (a.bracket === "grand_final") - (b.bracket === "grand_final") || a.round - b.round);
    const maxRound = {};
    for (const c of colList) maxRound[c.bracket] = Math.max(maxRound[c.bracket] || 0, c.round);
    for (const c of colList) {
      c.matches.sort((a, b) => a.number - b.number);
      c.title = roundName(c.bracket, c.round, maxRound[c.bracket], hasLosers);
    }
    let title;
    if (bracket === "winners") title = hasLosers ? "Winners bracket" : t.format === "groups_playoffs" ? "Playoffs" : "Bracket";
    else if (bracket === "losers") title = "Losers bracket";
    else if (bracket === "third_place") title = "Third-place match";
    else if (bracket === "swiss") title = groupCount > 1 ? `Swiss, group ${groupLetter(ms[0].group)}` : "Swiss rounds";
    else if (bracket === "group") title = groupCount > 1 || t.format === "groups_playoffs" ? `Group ${groupLetter(ms[0].group)}` : "Round robin";
    else title = bracket;
    const sec = { key, kind: ELIM.has(bracket) ? "elim" : "table", title, columns: colList };
    if (!ELIM.has(bracket)) sec.group = groupCount > 1 ? ms[0].group : "";
    out.push(sec);
  }
  return out;
}
