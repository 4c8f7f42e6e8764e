// Sizing: cards as wide as the longest name needs (within bounds), names that still do not
// fit shrunk, then wrapped, before anything is cut; an overlay's content scaled to fit its
// output size, its spare width given to the columns; brackets zoomed to fit a printed page.

/** The widths of ``texts`` set as a winner's name (bold) on a card of ``root``: measured in
 * the page itself, in one layout pass, so the fonts are exactly the cards' own. */
function textWidths(root, texts) {
  const box = document.createElement("div");
  box.className = "match measure";
  box.setAttribute("aria-hidden", "true");
  const side = document.createElement("div");
  side.className = "side win";
  for (const text of texts) {
    const span = document.createElement("span");
    span.className = "nm";
    span.textContent = text;
    side.append(span);
  }
  box.append(side);
  root.append(box);
  const widths = [...side.children].map((span) => span.offsetWidth);
  box.remove();
  return widths;
}

/**
 * Set the board's card width (--card-w) to what its longest name needs, between ``min`` and
 * ``max`` px; then mark each name still too wide: .fit-1 (85 %), .fit-2 (72 %), .fit-3 (72 %
 * on two lines). One batch of layout reads, then writes only. Returns the level of each name
 * that needs one (text -> 1..3), for cards drawn again later (Cards.fits).
 */
export function fitNames(root, { min, max }) {
  const levels = new Map();
  const names = [...root.querySelectorAll(".match .nm")];
  if (!names.length) return levels;
  const sample = names.find((n) => !n.classList.contains("tbd")) || names[0];
  const card = sample.closest(".match");
  const around = card.offsetWidth - sample.clientWidth; // seed, score, paddings, borders
  const texts = [...new Set(names.map((n) => n.textContent))];
  const index = new Map(texts.map((text, i) => [text, i]));
  const sizes = textWidths(card.parentElement, texts);
  const widths = names.map((n) => sizes[index.get(n.textContent)]);
  const need = Math.ceil(Math.max(...widths) + around + 4);
  const cardWidth = Math.max(min, Math.min(max, need));
  root.style.setProperty("--card-w", `${cardWidth}px`);
  const room = cardWidth - around;
  names.forEach((n, i) => {
    const w = widths[i];
    const level = w <= room ? 0 : w * 0.85 <= room ? 1 : w * 0.72 <= room ? 2 : 3;
    n.classList.remove("fit-1", "fit-2", "fit-3");
    if (level) {
      n.classList.add(`fit-${level}`);
      levels.set(n.textContent, level);
    }
  });
  return levels;
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
