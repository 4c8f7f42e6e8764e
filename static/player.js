// What the players' pages (sign-up, my entry) share: the tournament in the path, the stored
// participant link, the header. Plain ES module on top of the shared data, drawing and language modules.
import { formatDate as fmtDate } from "./i18n/i18n.js";
import { formatName } from "./state/labels.js";

/** The tournament id in /t/{tid}/signup or /t/{tid}/entry. */
export function tournamentId() {
  const parts = location.pathname.split("/").filter(Boolean);
  return decodeURIComponent(parts[1] || "");
}

const key = (tid) => `tourney.entry.${tid}`;

/** The participant link's token kept for this tournament on this device, if any. */
export function storedLink(tid) {
  try {
    return localStorage.getItem(key(tid)) || "";
  } catch {
    return "";
  }
}

export function storeLink(tid, token) {
  try {
    localStorage.setItem(key(tid), token);
  } catch {
    /* storage disabled: the link in the address bar still works */
  }
}

/** The header: the tournament's name, its format and its scheduled start. */
export function showHeader(t) {
  document.getElementById("title").textContent = t.name;
  document.title = `${t.name} · tourney`;
  const bits = [formatName(t.format)];
  if (t.starts_at) bits.push(`starts ${fmtDate(t.starts_at)}`);
  document.getElementById("meta").textContent = bits.join(" · ");
  const bracket = document.getElementById("bracket");
  if (bracket) bracket.href = `/t/${encodeURIComponent(t.id)}`;
}

export function showError(err) {
  const el = document.getElementById("error");
  el.textContent = err ? String(err.message || err) : "";
  el.hidden = !err;
}

/** A QR code (SVG from the server) shown as an image: a data: URL, as the page's CSP allows. */
export function showQr(img, svgText) {
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  img.hidden = false;
}
