// Sharing a tournament from the operator page: referee links (tokens, each with its QR code, for
// a station or the whole tournament), the snippets that embed the bracket in a club's site, and
// overlay addresses for OBS with their options. Every link is built on the address the server
// says (server.public_url, else the one this browser used).
import { $, h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { matchLabel } from "../state/labels.js";
import { overlayUrl } from "../state/options.js";
import { SECTIONS } from "../state/sections.js";
import { LANGUAGES, language, t } from "../i18n/i18n.js";
import { act, participantName, session } from "./operator.js";
import { base, copy, handout } from "./handout.js";

async function createLink(e) {
  e.preventDefault();
  const fd = new FormData(e.target);
  const tid = session.live.tid;
  const body = { tournament_id: tid, scope: fd.get("scope"), label: fd.get("label") || "referee" };
  if (fd.get("scope") === "report" && fd.get("station")) body.station_id = fd.get("station");
  const r = await act(() => api("POST", "/api/v1/tokens", body));
  if (!r) return;
  const revoke = async (ev) => {
    if (await act(() => api("DELETE", `/api/v1/tokens/${encodeURIComponent(r.id)}`), t("admin.revoked"))) ev.target.closest(".panel").remove();
  };
  $("links").prepend(
    h(
      "div",
      { class: "panel" },
      h("p", { text: t(`admin.link_made_${r.scope}`, { label: r.label || "" }) }),
      handout(r.link, null),
      h("p", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: revoke, text: t("admin.revoke") })),
    ),
  );
}

/** The station a new referee link is for: none (every match), or one of the tournament's. */
function drawStationChoice(tour) {
  const select = $("token-form").elements.station;
  const keep = select.value;
  select.replaceChildren(h("option", { value: "", text: t("admin.station_any") }), ...tour.stations.map((s) => h("option", { value: s.id, text: s.name })));
  if (tour.stations.some((s) => s.id === keep)) select.value = keep;
  select.closest("label").hidden = !tour.stations.length;
}

/** The two ways to put the bracket on another site: a sized script tag, a plain frame. */
function drawEmbed(tour) {
  const origin = base();
  const lang = language();
  const src = `${origin}/t/${encodeURIComponent(tour.id)}?embed=1&lang=${lang}`;
  const title = tour.name.replace(/[<>&"]/g, "");
  $("embed-script").value = `<script src="${origin}/static/embed.js" data-tournament="${tour.id}" data-lang="${lang}" async></script>`;
  $("embed-iframe").value = `<iframe src="${src}" title="${title}" style="width:100%;height:640px;border:0" loading="lazy"></iframe>`;
}

function fillOptions(select, pairs, keep) {
  select.replaceChildren(...pairs.map(([value, text]) => h("option", { value, text })));
  if (pairs.some(([v]) => v === keep)) select.value = keep;
}

/** The overlay builder's choices, refreshed as matches come and go. */
function drawOverlayChoices(tour) {
  const form = $("overlay-form");
  fillOptions(form.elements.section, SECTIONS.map((s) => [s, t(`section_option.${s}`)]), form.elements.section.value || "all");
  const playable = tour.matches.filter((m) => m.result !== "bye" && m.state !== "pending");
  const who = (m) => m.slots.map((s) => participantName(s.participant_id) || t("side.tbd")).join(" v ");
  fillOptions(form.elements.match, [["", t("share.no_bug")], ["live", t("share.live_match")], ...playable.map((m) => [m.id, `${matchLabel(m)}: ${who(m)}`])], form.elements.match.value);
  fillOptions(form.elements.lang, Object.entries(LANGUAGES), form.elements.lang.value || language());
  drawOverlayUrl();
}

function drawOverlayUrl() {
  const live = session.live;
  if (!live || !live.t) return;
  const f = new FormData($("overlay-form"));
  const [width, height] = String(f.get("size")).split("x").map(Number);
  const opts = { width, height, theme: f.get("theme"), lang: f.get("lang"), header: f.get("header") ? null : "0" };
  if (f.get("match")) opts.match = f.get("match");
  else if (f.get("section") !== "all") opts.section = f.get("section");
  const url = overlayUrl(base(), live.tid, opts);
  $("overlay-url").textContent = url;
  $("overlay-open").href = url;
}

export function drawShare(tour) {
  $("k-panel").hidden = session.me?.scope !== "admin"; // tokens are the admin's to make
  drawStationChoice(tour);
  drawEmbed(tour);
  drawOverlayChoices(tour);
}

export function setupShare() {
  $("token-form").addEventListener("submit", createLink);
  $("overlay-form").addEventListener("change", drawOverlayUrl);
  for (const btn of document.querySelectorAll("[data-copy]")) {
    btn.addEventListener("click", () => {
      const el = $(btn.dataset.copy);
      copy(el.value ?? el.textContent, btn);
    });
  }
}
