// The server's standings, kept fresh: fetched again (debounced, with If-None-Match) after every
// structural event. The browser tallies nothing itself: tables, ranks and tiebreaks are the
// server's (GET .../standings; ?stage=groups for a group stage's tables, a group per row).
import { ConditionalGet, tournamentPath } from "./api.js";

const DEBOUNCE_MS = 250;

export class StandingsFeed extends EventTarget {
  /** Dispatches "standings" (detail: the rows) whenever they change. */
  constructor(live, { stage = "final" } = {}) {
    super();
    const q = stage === "groups" ? "?stage=groups" : "";
    this.get = new ConditionalGet(`${tournamentPath(live.tid)}/standings${q}`, { token: live.token });
    this.rows = null;
    this.timer = null;
    this.fetching = null;
    this.again = false;
    this.active = false;
    this.fetches = 0;
    live.addEventListener("event", () => this.schedule());
    live.addEventListener("snapshot", () => this.schedule());
  }

  /** Start (or stop) keeping the standings; while inactive, events cost nothing. */
  setActive(on) {
    if (on === this.active) return;
    this.active = on;
    if (on) this.schedule(0);
  }

  schedule(delay = DEBOUNCE_MS) {
    if (!this.active) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetch(), delay);
  }

  async fetch() {
    if (this.fetching) {
      this.again = true; // an event arrived while a fetch was out: fetch once more after it
      return;
    }
    this.fetches += 1;
    this.fetching = this.get
      .get()
      .then(({ changed, body }) => {
        if (changed || this.rows === null) {
          this.rows = body;
          this.dispatchEvent(new CustomEvent("standings", { detail: body }));
        }
      })
      .catch(() => {
        /* standings are a nicety: the matches are still drawn; the next event retries */
      })
      .finally(() => {
        this.fetching = null;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        }
      });
  }
}
