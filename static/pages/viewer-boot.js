// The viewer's two first requests, the language and the tournament, started as soon as this
// small module has arrived rather than once every module of the page has: the first drawing
// waits for both. pages/viewer.js takes them from here (a module runs once per page).
import { api, tournamentPath } from "../data/api.js";
import { pickLanguage } from "../i18n/i18n.js";

const tid = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");

export const language = pickLanguage();
export const catalogue = fetch(`/static/i18n/${language}.json`).then((r) => (r.ok ? r.json() : null), () => null);
export const first = tid ? api("GET", tournamentPath(tid)) : null;
first?.catch(() => {}); // the viewer reports a failure once it has the words to say it in
