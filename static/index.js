// /: the public tournaments, newest first, with their state and a link to each viewer.
import { api, fmtDate, formatName, h, STATE_NAMES } from "./common.js";

const $ = (id) => document.getElementById(id);
let cursor = null;

function item(t) {
  const state = h("span", { class: `badge st-${t.state}`, text: STATE_NAMES[t.state] || t.state });
  const count = t.participants_count ?? (t.participants ? t.participants.length : null);
  return h(
    "li",
    {},
    h("a", { href: `/t/${encodeURIComponent(t.id)}`, text: t.name }),
    state,
    h("p", { class: "meta", text: [formatName(t.format), count !== null ? `${count} participants` : null, fmtDate(t.started_at || t.created_at)].filter(Boolean).join(" · ") }),
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
    $("error").textContent = `Could not load the tournaments: ${err.message}`;
  }
}

$("state").addEventListener("change", () => load(true));
$("more").addEventListener("click", () => load(false));
load(true);
setInterval(() => {
  if (!document.hidden && !cursor) load(true);
}, 15000);
