// A tiny DOM builder. Never uses innerHTML, so names typed by users cannot inject markup, and
// it works under the pages' Content-Security-Policy (no inline scripts or style attributes).

/**
 * h("div", {class: "x", text: "hi", onclick: fn, "aria-label": "y", dataset: {id: 1}}, child...)
 * Attributes whose value is null, undefined or false are left out; children may be arrays.
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

export const $ = (id) => document.getElementById(id);
