// A link to hand out on the operator page: the link itself, a button that copies it, and its
// QR code, drawn by the server (POST /api/v1/qr, which draws only this server's links; a link
// carrying a token goes in the body, never in a URL). Links are built on the address the server
// says (server.public_url, else the one this browser used): base().
import { h } from "../draw/dom.js";
import { api } from "../data/api.js";
import { t } from "../i18n/i18n.js";
import { session } from "./operator.js";

/** Where links point: the server's public_url when set, else the address this page came from. */
export const base = () => (session.me?.base_url || location.origin).replace(/\/$/, "");

/** Copy ``text``, saying so on ``btn`` (or asking for a copy by hand). */
export async function copy(text, btn) {
  try {
    await navigator.clipboard.writeText(text);
    btn.textContent = t("share.copied");
  } catch {
    btn.textContent = t("share.copy_by_hand");
  }
}

const drawn = new Map(); // link -> the promise of its QR code's data: URL (drawn once per page)

function qrSource(link) {
  if (!drawn.has(link)) {
    const made = fetch("/api/v1/qr", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ link }) })
      .then((res) => (res.ok ? res.text() : null))
      .then((svg) => (svg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` : null))
      .catch(() => null)
      .then((src) => {
        if (!src) drawn.delete(link); // asked again next time
        return src;
      });
    drawn.set(link, made);
  }
  return drawn.get(link);
}

/** The QR code of ``link`` as an <img> (a data: URL: the pages' policy allows no other). */
export async function qrImage(link, alt) {
  const src = await qrSource(link);
  return src ? h("img", { class: "qr", alt, width: "180", height: "180", src }) : null;
}

/** ``link`` with its copy button and QR code; ``note``: what it is for. */
export function handout(link, note, { id = null } = {}) {
  const box = h(
    "div",
    { class: "handout", id },
    h("div", { class: "handout-qr" }),
    h(
      "div",
      { class: "handout-text" },
      note ? h("p", { class: "note", text: note }) : null,
      h("p", { class: "share link-out", text: link }),
      h("p", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: (e) => copy(link, e.target), text: t("share.copy") })),
    ),
  );
  qrImage(link, t("day.qr_of", { link })).then((img) => img && box.querySelector(".handout-qr").append(img));
  return box;
}
