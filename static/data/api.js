// The JSON API from the browser: the stored token, errors as ApiError, conditional reads.
// Plain ES module, no dependencies, works under a strict Content-Security-Policy.

export const TOKEN_KEY = "tourney.token";

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
    super((problem.detail || problem.title || `HTTP ${status}`) + (fields ? ` (${fields})` : ""));
    this.status = status;
    this.problem = problem;
  }
}

async function parse(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
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
  const res = await fetch(path, init);
  const data = await parse(res);
  if (!res.ok) throw new ApiError(res.status, data || {});
  return data;
}

/**
 * A GET that remembers the ETag of its last answer and sends it back (If-None-Match): an
 * unchanged resource costs the server a 304 and the page nothing. get() resolves to
 * {changed, body}.
 */
export class ConditionalGet {
  constructor(path, { token = getToken() } = {}) {
    this.path = path;
    this.token = token;
    this.etag = null;
    this.body = undefined;
  }

  async get() {
    const headers = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.etag) headers["If-None-Match"] = this.etag;
    // no-store: the browser's cache would answer a 304 itself, and hide it from us
    const res = await fetch(this.path, { headers, cache: "no-store" });
    if (res.status === 304) return { changed: false, body: this.body };
    const data = await parse(res);
    if (!res.ok) throw new ApiError(res.status, data || {});
    this.etag = res.headers.get("ETag");
    this.body = data;
    return { changed: true, body: data };
  }
}

export const tournamentPath = (tid) => `/api/v1/tournaments/${encodeURIComponent(tid)}`;
