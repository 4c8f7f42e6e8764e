// A score bug: one match, large, for a corner of a stream: the two sides and their scores, the
// match's state, and the live detail (map, clock...) its scoreboard sends.
import { h } from "./dom.js";
import { detailRow } from "./detail.js";
import { calledTo } from "./card.js";
import { matchLabel } from "../state/labels.js";
import { formatNumber, t } from "../i18n/i18n.js";

export function drawBug(root, t0, m) {
  root.hidden = false;
  if (!m) {
    root.className = "bug s-none";
    root.replaceChildren(h("p", { class: "bug-empty", text: t("bug.no_match") }));
    return;
  }
  const names = new Map(t0.participants.map((p) => [p.id, p.name]));
  const rows = m.slots.map((s, i) => {
    const name = s.participant_id ? names.get(s.participant_id) || "?" : t("side.tbd");
    const won = m.winner_id && m.winner_id === s.participant_id;
    return h(
      "div",
      { class: `bug-row${won ? " win" : ""}` },
      h("span", { class: "bug-name", text: name, title: name }),
      h("span", { class: "bug-score", text: m.scores ? formatNumber(m.scores[i]) : "–" }),
    );
  });
  root.className = `bug s-${m.state}`;
  root.dataset.id = m.id;
  const title = [t0.name, matchLabel(m), calledTo(m)].filter(Boolean).join(" · ");
  const head = h("div", { class: "bug-head" }, h("span", { class: "bug-title", text: title }), h("span", { class: "bug-state", text: t(`bug.${m.state}`) }));
  const detail = m.state === "live" ? detailRow(m.live) : null;
  root.replaceChildren(...[head, ...rows, detail].filter(Boolean)); // a null child would print "null"
}
