// Participants on the operator page: add one or a pasted list (CSV), reorder the seeds by
// dragging (or with the arrows), remove, disqualify; and start the tournament.
import { $, h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { formatNumber, t } from "../i18n/i18n.js";
import { act, session, tpath } from "./operator.js";

const ppath = (pid) => `${tpath()}/participants/${encodeURIComponent(pid)}`;

/** "name" or "name,rating" per line, commas or tabs; quotes around a field are removed. */
export function parseList(text) {
  const out = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const cols = line.split(/\t|,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((c) => c.trim().replace(/^"(.*)"$/, "$1").replace(/""/g, '"'));
    if (!out.length && /^name$/i.test(cols[0])) continue;
    const p = { name: cols[0] };
    if (cols[1] !== undefined && cols[1] !== "" && !isNaN(Number(cols[1]))) p.rating = Number(cols[1]);
    if (p.name) out.push(p);
  }
  return out;
}

function row(tour, p, i, count, editable) {
  const button = (label, aria, onclick, disabled = false) => h("button", { type: "button", class: "secondary", "aria-label": aria, disabled, onclick, text: label });
  return h(
    "li",
    { draggable: editable ? "true" : "false", dataset: { pid: p.id } },
    editable ? h("span", { class: "grip", "aria-hidden": "true", text: "⋮⋮" }) : null,
    h("span", { class: "seed", text: p.seed }),
    h("span", { class: "nm", text: p.name }),
    p.rating !== null && p.rating !== undefined ? h("span", { class: "note", text: t("admin.rating", { rating: formatNumber(p.rating) }) }) : null,
    p.status && p.status !== "active" ? h("span", { class: "badge", text: t(`participant_status.${p.status}`) }) : null,
    editable ? button("↑", t("admin.move_up", { name: p.name }), () => reseed(p.id, p.seed - 1), i === 0) : null,
    editable ? button("↓", t("admin.move_down", { name: p.name }), () => reseed(p.id, p.seed + 1), i === count - 1) : null,
    editable ? button("✕", t("admin.remove", { name: p.name }), () => remove(p)) : null,
    !editable && tour.state === "underway" && p.status === "active" ? button(t("admin.disqualify"), t("admin.disqualify_who", { name: p.name }), () => disqualify(p)) : null,
  );
}

export function drawSeeds(tour) {
  const editable = tour.state === "pending";
  const ps = [...tour.participants].sort((a, b) => a.seed - b.seed);
  $("seeds").replaceChildren(...ps.map((p, i) => row(tour, p, i, ps.length, editable)));
  $("start-note").textContent = ps.length < 2 ? t("admin.need_two") : "";
  $("p-h").textContent = t("admin.participants_n", { n: ps.length });
  $("add-one").hidden = !editable;
  $("add-many").closest("details").hidden = !editable;
  $("seed-note").hidden = !editable;
  $("start").hidden = !editable;
}

async function reseed(pid, seed) {
  if (seed < 1) return;
  if (await act(() => api("PATCH", ppath(pid), { seed }))) await session.live.refetch();
}

async function remove(p) {
  if (await act(() => api("DELETE", ppath(p.id)), t("admin.removed", { name: p.name }))) await session.live.refetch();
}

async function disqualify(p) {
  if (!confirm(t("admin.disqualify_confirm", { name: p.name }))) return;
  await act(() => api("POST", `${ppath(p.id)}/disqualify`), t("admin.disqualified", { name: p.name }));
}

// Drag and drop of seeds: the dragged row moves to the seed of the row it is dropped on.
function setupDrag() {
  let dragged = null;
  const clear = () => document.querySelectorAll(".drop-before").forEach((x) => x.classList.remove("drop-before"));
  $("seeds").addEventListener("dragstart", (e) => {
    const li = e.target.closest("li");
    if (!li) return;
    dragged = li.dataset.pid;
    li.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", dragged);
  });
  $("seeds").addEventListener("dragend", (e) => {
    e.target.closest("li")?.classList.remove("dragging");
    clear();
  });
  $("seeds").addEventListener("dragover", (e) => {
    const li = e.target.closest("li");
    if (!li || !dragged) return;
    e.preventDefault();
    clear();
    li.classList.add("drop-before");
  });
  $("seeds").addEventListener("drop", (e) => {
    e.preventDefault();
    const li = e.target.closest("li");
    const pid = dragged || e.dataTransfer.getData("text/plain");
    dragged = null;
    if (!li || !pid || li.dataset.pid === pid) return;
    const target = session.live.t.participants.find((p) => p.id === li.dataset.pid);
    if (target) reseed(pid, target.seed);
  });
}

export function setupPeople() {
  setupDrag();
  $("add-one").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = e.target.elements.name;
    const name = input.value.trim();
    if (!name) return;
    if (await act(() => api("POST", `${tpath()}/participants`, { name }), t("admin.added", { name }))) {
      input.value = "";
      input.focus();
      await session.live.refetch();
    }
  });
  $("add-many").addEventListener("submit", async (e) => {
    e.preventDefault();
    const ta = e.target.elements.list;
    const list = parseList(ta.value);
    if (!list.length) return act(() => Promise.reject(new Error(t("admin.nothing_to_add"))));
    if (await act(() => api("POST", `${tpath()}/participants`, list), t("admin.added_n", { n: list.length }))) {
      ta.value = "";
      await session.live.refetch();
    }
  });
  $("csv-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (file) $("add-many").elements.list.value = await file.text();
  });
  $("start").addEventListener("click", async () => {
    if (await act(() => api("POST", `${tpath()}/start`), t("admin.started"))) await session.live.refetch();
  });
}
