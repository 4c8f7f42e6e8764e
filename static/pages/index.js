// /: the public tournaments, newest first, with their state and a link to each viewer.
import { $, h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { formatName, tournamentState } from "../state/labels.js";
import { formatDate, loadLanguage, t, translatePage } from "../i18n/i18n.js";

let cursor = null;

function item(tour) {
  const count = tour.participants_count ?? (tour.participants ? tour.participants.length : null);
  const meta = [formatName(tour.format), count !== null ? t("viewer.participants", { n: count }) : null, formatDate(tour.started_at || tour.created_at)];
  return h(
    "li",
    {},
    h("a", { href: `/t/${encodeURIComponent(tour.id)}`, text: tour.name }),
    h("span", { class: `badge st-${tour.state}`, text: tournamentState(tour.state) }),
    h("p", { class: "meta", text: meta.filter(Boolean).join(" · ") }),
  );
}

async function load(reset) {
  const params = new URLSearchParams();
  if ($("state").value) params.set("state", $("state").value);
  if (!reset && cursor) params.set("cursor", cursor);
  try {
    const page = await api("GET", `/api/v1/tournaments?${params}`, undefined, { token: "" });
    if (reset) $("list").replaceChildren();
    $("list").append(...page.items.map(item));
    cursor = page.next_cursor || null;
    $("more").hidden = !cursor;
    $("empty").hidden = $("list").children.length > 0;
    $("error").hidden = true;
  } catch (err) {
    $("error").hidden = false;
    $("error").textContent = t("index.load_failed", { reason: err.message });
  }
}

$("state").addEventListener("change", () => load(true));
$("more").addEventListener("click", () => load(false));
await loadLanguage();
translatePage();
load(true);
setInterval(() => {
  if (!document.hidden && !cursor) load(true);
}, 15000);
