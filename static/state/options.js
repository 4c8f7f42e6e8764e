// The viewer's options, from its address (/t/{tid}?overlay=1&section=finals&theme=dark...).
// Every option is documented in docs/screens.md; unknown or malformed values fall back to
// their defaults rather than failing the page.
import { SECTIONS } from "./sections.js";

export const THEMES = ["auto", "light", "dark", "transparent"];
export const SIZES = { "1280x720": [1280, 720], "1920x1080": [1920, 1080], "3840x2160": [3840, 2160] };

const yes = (v) => v === "1" || v === "true" || v === "yes";
const no = (v) => v === "0" || v === "false" || v === "no";

function size(v) {
  const n = Math.round(Number(v));
  return Number.isFinite(n) && n >= 100 && n <= 8192 ? n : null;
}

function roundNumber(v) {
  const n = Number(v);
  return v && Number.isInteger(n) && n >= 1 && n <= 64 ? n : null;
}

export function viewerOptions(search = location.search, path = location.pathname) {
  const q = new URLSearchParams(search);
  const overlay = yes(q.get("overlay"));
  const match = q.get("match") || null;
  const section = SECTIONS.includes(q.get("section")) ? q.get("section") : "all";
  const theme = THEMES.includes(q.get("theme")) ? q.get("theme") : overlay ? "transparent" : "auto";
  const scaleRaw = q.get("scale");
  let scale = overlay ? "fit" : "none";
  if (scaleRaw === "fit" || scaleRaw === "none") scale = scaleRaw;
  else if (scaleRaw && Number(scaleRaw) >= 0.25 && Number(scaleRaw) <= 8) scale = Number(scaleRaw);
  return {
    tid: decodeURIComponent(path.split("/").filter(Boolean)[1] || ""),
    overlay,
    // embed=1: a frame of a fixed height (the page stays put, the board scrolls); embed=auto: a
    // frame sized by static/embed.js (the page as tall as its content, which it reports)
    embed: q.get("embed") === "auto" ? "auto" : yes(q.get("embed")) ? "fixed" : null,
    match,
    section: match ? "bug" : section,
    theme,
    scale,
    width: size(q.get("width")),
    height: size(q.get("height")),
    header: !no(q.get("header")),
    player: q.get("player") || null,
    view: ["list", "bracket"].includes(q.get("view")) ? q.get("view") : null,
    // a printable sheet of a Swiss or round robin (pages/sheet.js): a round's boards, standings
    sheet: ["round", "standings"].includes(q.get("sheet")) ? q.get("sheet") : null,
    round: roundNumber(q.get("round")),
  };
}

/** The address of an overlay with these options (the operator page builds them). */
export function overlayUrl(origin, tid, opts) {
  const u = new URL(`/t/${encodeURIComponent(tid)}`, origin);
  u.searchParams.set("overlay", "1");
  for (const [k, v] of Object.entries(opts)) {
    if (v !== null && v !== undefined && v !== "" && v !== false) u.searchParams.set(k, String(v));
  }
  return u.toString();
}
