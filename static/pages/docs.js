// /docs: every endpoint of /openapi.json, with a form to try it against this server. The API
// speaks English (its descriptions come from /openapi.json), and so does this page.
import { $, h } from "../draw/dom.js";
import { getToken, setToken } from "../data/api.js";
let spec = null;

function showToken() {
  const t = getToken();
  $("tok-note").textContent = t ? `Using a token ending …${t.slice(-4)}` : "No token: public reads only.";
}
$("auth").addEventListener("submit", (e) => {
  e.preventDefault();
  setToken($("tok").value.trim());
  $("tok").value = "";
  showToken();
});

function resolve(schema) {
  if (schema && schema.$ref) return spec.components.schemas[schema.$ref.split("/").pop()] || schema;
  return schema;
}

function example(schema, depth = 0) {
  schema = resolve(schema);
  if (!schema || depth > 4) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "object" || schema.properties) {
    const o = {};
    for (const [k, v] of Object.entries(schema.properties || {})) {
      if ((schema.required || []).includes(k) || depth === 0) o[k] = example(v, depth + 1);
    }
    return o;
  }
  if (type === "array") return [example(schema.items, depth + 1)];
  if (type === "integer" || type === "number") return schema.minimum ?? 1;
  if (type === "boolean") return false;
  if (type === "string") return "";
  return null;
}

function endpoint(path, method, op) {
  const params = [...(op.parameters || [])];
  for (const m of path.matchAll(/\{(\w+)\}/g)) if (!params.some((p) => p.name === m[1] && p.in === "path")) params.push({ name: m[1], in: "path", required: true });
  const bodySchema = op.requestBody && op.requestBody.content && (op.requestBody.content["application/json"] || Object.values(op.requestBody.content)[0]);
  const inputs = params.map((p) =>
    h("label", {}, `${p.name} (${p.in}${p.required ? ", required" : ""})`, h("input", { name: `${p.in}:${p.name}`, required: p.required && p.in === "path" ? true : null })),
  );
  const ta = h("textarea", { name: "body", rows: "6", spellcheck: "false" });
  if (bodySchema || ["post", "patch", "put"].includes(method)) {
    const ex = bodySchema ? example(bodySchema.schema) : null;
    ta.value = ex === null || ex === undefined ? "" : JSON.stringify(ex, null, 2);
  }
  const out = h("pre", { class: "response", "aria-live": "polite", hidden: true });
  const form = h(
    "form",
    { class: "try" },
    h("div", { class: "grid" }, inputs),
    ["post", "patch", "put", "delete"].includes(method) ? h("label", {}, "JSON body", ta) : null,
    h("p", {}, h("button", { type: "submit", text: `Send ${method.toUpperCase()}` })),
    out,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    for (const el of form.querySelectorAll("input")) {
      const [where, name] = el.name.split(":");
      if (where === "path") url = url.replace(`{${name}}`, encodeURIComponent(el.value));
      else if (where === "query" && el.value) query.set(name, el.value);
    }
    if ([...query].length) url += `?${query}`;
    const headers = { Accept: "application/json" };
    const tok = getToken();
    if (tok) headers.Authorization = `Bearer ${tok}`;
    const init = { method: method.toUpperCase(), headers };
    if (ta.value.trim() && method !== "get") {
      headers["Content-Type"] = "application/json";
      init.body = ta.value;
    }
    out.hidden = false;
    out.textContent = `${init.method} ${url} …`;
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* not JSON */
      }
      out.textContent = `${res.status} ${res.statusText}\n\n${shown}`;
    } catch (err) {
      out.textContent = `Failed: ${err.message}`;
    }
  });
  const codes = Object.keys(op.responses || {}).join(" ");
  return h(
    "details",
    { class: "endpoint", dataset: { search: `${method} ${path} ${op.summary || ""}`.toLowerCase() } },
    h("summary", {}, h("span", { class: `method m-${method}`, text: method.toUpperCase() }), h("span", { class: "path", text: path }), h("span", { class: "note", text: op.summary || "" })),
    h("div", { class: "body" }, op.description ? h("p", { text: op.description }) : null, codes ? h("p", { class: "note", text: `Responses: ${codes}` }) : null, form),
  );
}

async function main() {
  showToken();
  try {
    spec = await (await fetch("/openapi.json")).json();
  } catch (err) {
    $("error").hidden = false;
    $("error").textContent = `Could not load /openapi.json: ${err.message}`;
    return;
  }
  if (spec.info) {
    $("title").textContent = `${spec.info.title || "API"} ${spec.info.version || ""}`.trim();
    document.title = `${$("title").textContent} · tourney`;
  }
  const list = [];
  for (const [path, ops] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (["get", "post", "put", "patch", "delete"].includes(method)) list.push(endpoint(path, method, op));
    }
  }
  $("endpoints").replaceChildren(...list);
}

$("filter").addEventListener("input", (e) => {
  const q = e.target.value.toLowerCase();
  for (const d of document.querySelectorAll(".endpoint")) d.hidden = q && !d.dataset.search.includes(q);
});
main();
