// Sizing: cards as wide as the longest name needs (within bounds), names that still do not
// fit shrunk, then wrapped, before anything is cut; an overlay's content scaled to fit its
// output size, its spare width given to the columns; brackets zoomed to fit a printed page.
import { h } from "./dom.js";

/**
 * Measure names as a card of ``root`` sets them, in the page itself (so the fonts are exactly
 * the cards' own), in one small hidden box: a sample card, for the room its seed, score and
 * paddings take, and every name in a winner's bold. Done before the cards are drawn, so the
 * board is laid out once, with its final card width.
 */
function measure(root, texts) {
  const sampleName = h("span", { class: "nm", text: "x" });
  const sample = h("div", { class: "match" }, h("div", { class: "side win" }, h("span", { class: "seed", text: "99" }), sampleName, h("span", { class: "sc", text: "99" })));
  sample.style.width = "40rem"; // roomy at any type size: what is left is the name's
  const names = h("div", { class: "match names" }, h("div", { class: "side win" }, texts.map((text) => h("span", { class: "nm", text }))));
  const box = h("div", { class: "measure", "aria-hidden": "true" }, sample, names);
  root.append(box);
  const around = sample.offsetWidth - sampleName.clientWidth;
  const widths = [...names.firstChild.children].map((span) => span.offsetWidth);
  box.remove();
  return { around, widths };
}

/**
 * The card width (px) the longest of ``names`` needs, between ``min`` and ``max``, and how much
 * each name still too wide must give: 1 (85 %), 2 (72 %), 3 (72 % on two lines).
 * Returns {width, levels: Map(name -> level)}.
 */
export function fitNames(root, names, { min, max }) {
  const levels = new Map();
  const texts = [...new Set(names)];
  if (!texts.length) return { width: min, levels };
  const { around, widths } = measure(root, texts);
  const width = Math.max(min, Math.min(max, Math.ceil(Math.max(...widths) + around + 4)));
  // a little to spare: type set small (a zoomed bracket on paper) rounds its widths up
  const room = (width - around) * 0.97;
  texts.forEach((text, i) => {
    const w = widths[i];
    const level = w <= room ? 0 : w * 0.85 <= room ? 1 : w * 0.72 <= room ? 2 : 3;
    if (level) levels.set(text, level);
  });
  return { width, levels };
}

/** Mark the names already drawn with their levels (writes only: no layout is read). */
export function markNames(root, levels) {
  for (const n of root.querySelectorAll(".match .nm:not(.tbd)")) {
    n.classList.remove("fit-1", "fit-2", "fit-3");
    const level = levels.get(n.textContent);
    if (level) n.classList.add(`fit-${level}`);
  }
}

function columnsAcross(content) {
  let most = 1;
  for (const row of content.querySelectorAll(".bracket, .rounds")) most = Math.max(most, row.querySelectorAll(":scope > .round").length);
  return most;
}

/**
 * Scale ``content`` to fit a ``width`` x ``height`` box (``scale``: "fit", "none" or a
 * factor), centred, at most ``maxScale`` times its natural size. With ``grow``, width left
 * over once the height is filled goes to the columns (wider cards, wider gaps) first; without
 * ``centre``, the content keeps to the top left corner.
 * Returns the scale applied.
 */
export function fitInto(content, { width, height, scale = "fit", maxScale = 3, grow = false, centre = true }) {
  content.style.transform = "none";
  content.style.removeProperty("--grow-card");
  content.style.removeProperty("--grow-gap");
  let w = content.scrollWidth;
  let h = content.scrollHeight;
  if (!w || !h) return 1;
  let s = scale === "fit" ? Math.min(width / w, height / h, maxScale) : scale === "none" ? 1 : Number(scale);
  if (scale === "fit" && grow && width / w > s * 1.02) {
    const perColumn = (width / s - w) / columnsAcross(content);
    const card = Math.min(perColumn * 0.5, 160);
    content.style.setProperty("--grow-card", `${card}px`);
    content.style.setProperty("--grow-gap", `${Math.min(perColumn - card, 120)}px`);
    w = content.scrollWidth;
    h = content.scrollHeight;
    s = Math.min(width / w, height / h, maxScale);
  }
  const x = centre ? Math.max(0, (width - w * s) / 2) : 0;
  const y = centre ? Math.max(0, (height - h * s) / 2) : 0;
  content.style.transform = `translate(${x}px, ${y}px) scale(${s})`;
  return s;
}

// The printable area of a landscape page with 10 mm margins, in CSS px, on the smaller of A4
// (1047 x 718) and US Letter (980 x 740), less a heading.
const PAGE = { width: 970, height: 640 };

// Below this zoom a bracket is no longer read on paper: it fits the page's width, and runs
// over as many pages as its height needs.
const READABLE = 0.6;

/** Zoom each bracket (--print-zoom) to fit one printed page, or its width when one page would
 * make it too small to read. */
export function fitForPrint(root) {
  for (const b of root.querySelectorAll(".bracket")) {
    b.style.removeProperty("--print-zoom");
    const across = Math.min(1, PAGE.width / b.scrollWidth);
    const whole = Math.min(across, PAGE.height / b.scrollHeight);
    const z = whole >= READABLE ? whole : across;
    if (z < 1) b.style.setProperty("--print-zoom", z.toFixed(3));
  }
}
