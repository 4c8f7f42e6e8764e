// What the operator page's parts share: the open tournament, messages, and running an API
// call with its outcome shown.
import { $ } from "../draw/dom.js";
import { tournamentPath } from "../data/api.js";

/** The tournament open on the page: its LiveTournament (null on the home view). */
export const session = { live: null };

export const tpath = () => tournamentPath(session.live.tid);

export function flash(text, ok = true) {
  const f = $("flash");
  f.textContent = text;
  f.className = `msg ${ok ? "ok" : "bad"}`;
}

/** Run ``fn``; flash ``ok`` when it succeeds, the error when it fails. The result, or null. */
export async function act(fn, ok) {
  try {
    const r = await fn();
    if (ok) flash(ok);
    return r;
  } catch (err) {
    flash(err.message, false);
    return null;
  }
}

export function participantName(pid) {
  return session.live?.t?.participants.find((p) => p.id === pid)?.name || "";
}
