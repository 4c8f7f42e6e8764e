// Shared helpers for every page: the API client, the stored token, and a tiny DOM builder.
// Plain ES module, no dependencies, works under a strict Content-Security-Policy.

export const TOKEN_KEY = "tourney.token";
export const API = "/api/v1";

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives for this page only */
  }
}

export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem.errors || []).map((e) => `${e.field}: ${e.message}`).join("; ");
    super(problem.detail || problem.title || `HTTP ${status}` + (fields ? ` (${fields})` : ""));
    if (fields && problem.detail) this.message += ` (${fields})`;
    this.status = status;
    this.problem = problem;
  }
}

/** Call the JSON API. Throws ApiError with the problem's detail on a non-2xx answer. */
export async function api(method, path, body, { token = getToken(), headers = {} } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  const init = { method, headers: h };
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path.startsWith("/") ? path : `${API}/${path}`, init);
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text };
    }
  }
  if (!res.ok) throw new ApiError(res.status, data || {});
  return data;
}

/**
 * Build an element: h("div", {class: "x", text: "hi", onclick: fn, "aria-label": "y"}, child...).
 * Never uses innerHTML, so names typed by users cannot inject markup.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const FORMAT_NAMES = {
  single_elimination: "Single elimination",
  double_elimination: "Double elimination",
  round_robin: "Round robin",
  swiss: "Swiss",
  groups_playoffs: "Groups, then playoffs",
};

export const STATE_NAMES = {
  pending: "Registration",
  underway: "Underway",
  complete: "Complete",
};

export function formatName(f) {
  return FORMAT_NAMES[f] || String(f || "").replace(/_/g, " ");
}

export function fmtNumber(n) {
  if (n === null || n === undefined) return "";
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

export function qs(name) {
  return new URLSearchParams(location.search).get(name);
}
