// The match dialog on the operator page: scores (live or final), a winner without a score or a
// forfeit, and reopening a result after a preview of every match it resets.
import { $, h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { matchLabel } from "../state/labels.js";
import { formatNumber, t } from "../i18n/i18n.js";
import { session, tpath } from "./operator.js";

let current = null; // the id of the match open in the dialog

const mpath = (mid) => `${tpath()}/matches/${encodeURIComponent(mid)}`;
const pname = (pid) => session.live.t.participants.find((p) => p.id === pid)?.name || t("side.tbd");
const button = (attrs, text) => h("button", { type: "button", class: "secondary", ...attrs, text });

function say(text, ok = true) {
  $("mdlg-msg").textContent = text;
  $("mdlg-msg").className = `msg ${ok ? "ok" : "bad"}`;
}

export function openMatch(m) {
  if (!m) return;
  current = m.id;
  $("mdlg-msg").textContent = "";
  refreshDialog();
  if (!$("mdlg").open) $("mdlg").showModal();
}

/** Redraw the dialog from the newest state of its match (a live update, a refetch). */
export function refreshDialog(changed = null) {
  if (!current || (changed && !changed.some((m) => m.id === current))) return;
  const m = session.live.t.matches.find((x) => x.id === current);
  if (!m) return;
  const [a, b] = m.slots.map((s) => s.participant_id);
  $("mdlg-h").textContent = t("dialog.heading", { label: matchLabel(m), a: pname(a), b: pname(b) });
  const meta = [t(`match_state.${m.state}`), m.result ? t(`result.${m.result}`) : null, m.scores ? m.scores.map(formatNumber).join(" – ") : null, m.best_of > 1 ? t("dialog.best_of", { n: m.best_of }) : null];
  $("mdlg-meta").textContent = meta.filter(Boolean).join(" · ");
  const body = $("mdlg-body");
  const focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement.id : null;
  if (m.state === "ready" || m.state === "live") body.replaceChildren(...reporting(m, a, b));
  else if (m.state === "complete" && m.result !== "bye") {
    body.replaceChildren(
      h("p", { text: m.winner_id ? t("dialog.won", { name: pname(m.winner_id) }) : t("dialog.a_draw") }),
      h("details", { id: "correct" }, h("summary", { text: t("dialog.correct") }), h("p", { class: "note", text: t("dialog.correct_note") }), ...reporting(m, a, b, "correct")),
      h("p", { class: "row" }, button({ id: "btn-preview", onclick: () => previewReopen(m) }, t("dialog.reopen"))),
      h("div", { id: "reopen-preview" }),
    );
  } else body.replaceChildren(h("p", { text: m.result === "bye" ? t("dialog.bye") : t("dialog.waiting") }));
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

/** Scores, a winner, a forfeit: a result reported (``kind`` "result"), or one corrected in
 * place ("correct": no live scores, the same choices). */
function reporting(m, a, b, kind = "result") {
  const done = kind === "result" ? t("dialog.reported") : t("dialog.corrected");
  const keep = (i) => {
    const el = document.getElementById(`score-${i}`);
    return el && el.dataset.mid === m.id ? el.value : m.scores ? String(m.scores[i]) : "0";
  };
  const input = (i) => h("input", { id: `score-${i}`, type: "number", min: "0", step: "any", inputmode: "decimal", value: keep(i), dataset: { mid: m.id } });
  const in0 = input(0);
  const in1 = input(1);
  const scores = () => [Number(in0.value || 0), Number(in1.value || 0)];
  return [
    h("div", { class: "scoreline" }, h("label", { for: "score-0", text: pname(a) }), in0, h("label", { for: "score-1", text: pname(b) }), in1),
    h(
      "p",
      { class: "row" },
      kind === "result" ? button({ id: "btn-live", onclick: () => send("live", { scores: scores() }, t("dialog.live_sent")) }, t("dialog.send_live")) : null,
      h("button", { type: "button", id: `btn-${kind}`, onclick: () => send(kind, { scores: scores() }, done), text: t(kind === "result" ? "dialog.report" : "dialog.correct_do") }),
    ),
    h(
      "details",
      {},
      h("summary", { text: t("dialog.other_outcomes") }),
      h("p", { class: "row" }, button({ onclick: () => send(kind, { winner_id: a }, done) }, t("dialog.wins", { name: pname(a) })), button({ onclick: () => send(kind, { winner_id: b }, done) }, t("dialog.wins", { name: pname(b) }))),
      h("p", { class: "row" }, button({ onclick: () => send(kind, { forfeit: a }, t("dialog.forfeited")) }, t("dialog.forfeits", { name: pname(a) })), button({ onclick: () => send(kind, { forfeit: b }, t("dialog.forfeited")) }, t("dialog.forfeits", { name: pname(b) }))),
    ),
  ];
}

async function send(kind, body, ok) {
  const mid = current;
  try {
    await api("POST", `${mpath(mid)}/${kind}`, body);
    say(ok);
    if (kind === "result") {
      const m = session.live.t.matches.find((x) => x.id === mid);
      if (m && m.state !== "complete") await session.live.refetch();
    }
  } catch (err) {
    say(err.message, false);
  }
}

async function previewReopen(m) {
  try {
    const r = await api("POST", `${mpath(m.id)}/reopen?dry_run=1`);
    const byId = new Map(session.live.t.matches.map((x) => [x.id, x]));
    const labelOf = (x) => (x ? `${matchLabel(x)} (${x.slots.map((s) => pname(s.participant_id)).join(" v ")})` : "?");
    const labels = (r.reset || []).map((id) => (byId.has(id) ? labelOf(byId.get(id)) : id));
    const n = labels.length;
    $("reopen-preview").replaceChildren(
      ...(r.live || []).map((id) => h("p", { class: "loud", role: "alert", text: t("dialog.reopen_live", { match: labelOf(byId.get(id)) }) })),
      h("p", { text: t("dialog.reopen_resets", { n }) }),
      h("ul", { class: "reset-list" }, labels.map((l) => h("li", { text: l }))),
      h("p", {}, h("button", { type: "button", id: "btn-reopen", class: "danger", onclick: () => send("reopen", undefined, t("dialog.reopened")), text: t("dialog.reopen_n", { n }) })),
    );
  } catch (err) {
    say(err.message, false);
  }
}

export function setupDialog() {
  $("mdlg").addEventListener("close", () => {
    current = null;
  });
}
