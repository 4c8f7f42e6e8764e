// A tournament kept up to date over the WebSocket: snapshot, events, live ticks, and a reconnect
// that resumes after the last structural event it saw (no gap, no reload).
import { api, getToken, tournamentPath } from "./api.js";

// events whose frame carries every change (the matches): no refetch of the whole tournament
const MATCH_EVENTS = new Set(["match.result", "match.reopened", "match.live", "match.called", "match.live_cleared", "match.corrected"]);

export class LiveTournament extends EventTarget {
  /**
   * Events dispatched: "snapshot" (the whole tournament changed: draw it again),
   * "matches" (detail: changed match objects), "event" (detail: the event), "status" (detail:
   * "connecting" | "live" | "reconnecting" | "offline").
   */
  constructor(tid, { token = getToken(), match = null } = {}) {
    super();
    this.tid = tid;
    this.token = token;
    this.match = match;
    this.t = null;
    this.byId = new Map();
    this.lastSeq = null;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.status = "connecting";
    this.refetching = null;
    this.reconnects = 0;
  }

  /** Fetch the tournament (or take ``first``, fetched already) and keep it live. */
  async start(first = null) {
    if (first) this.setTournament(first);
    else await this.refetch();
    this.connect();
    // a socket that stays silent past two heartbeats is dead even if the browser has not noticed
    this.lastFrameAt = Date.now();
    this.watchdog = setInterval(() => {
      if (this.ws && this.ws.readyState === WebSocket.OPEN && Date.now() - this.lastFrameAt > 40000) this.ws.close(4001, "silent");
    }, 5000);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.watchdog);
    if (this.ws) this.ws.close(1000);
  }

  setStatus(s) {
    if (s === this.status) return;
    this.status = s;
    this.dispatchEvent(new CustomEvent("status", { detail: s }));
  }

  async refetch() {
    const t = await api("GET", tournamentPath(this.tid), undefined, { token: this.token });
    this.setTournament(t);
  }

  /** Refetch the whole tournament once, however many events ask for it at the same time. */
  scheduleRefetch() {
    if (this.refetching) return;
    this.refetching = this.refetch()
      .catch(() => {})
      .finally(() => {
        this.refetching = null;
      });
  }

  setTournament(t) {
    if (this.t && t.seq !== undefined && this.t.seq !== undefined && t.seq < this.t.seq) return;
    this.t = t;
    this.byId = new Map(t.matches.map((m) => [m.id, m]));
    if (this.lastSeq === null || (t.seq !== undefined && t.seq > this.lastSeq)) this.lastSeq = t.seq;
    this.dispatchEvent(new CustomEvent("snapshot", { detail: t }));
  }

  wsUrl() {
    const u = new URL(`${tournamentPath(this.tid)}/ws`, location.href);
    u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (this.token) u.searchParams.set("token", this.token);
    if (this.match) u.searchParams.set("match", this.match);
    if (this.lastSeq !== null && this.lastSeq !== undefined) u.searchParams.set("after", this.lastSeq);
    return u.toString();
  }

  connect() {
    if (this.stopped) return;
    this.setStatus(this.attempt ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.wsUrl());
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.lastFrameAt = Date.now();
      const resumed = this.attempt > 0;
      this.attempt = 0;
      this.setStatus("live");
      if (resumed) {
        this.reconnects += 1;
        this.refreshLive();
      }
    };
    ws.onmessage = (e) => {
      this.lastFrameAt = Date.now();
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      this.onFrame(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) {
        this.setStatus("offline");
        return;
      }
      if (!opened) this.attempt += 1;
      else this.attempt = Math.max(this.attempt, 1);
      this.retry();
    };
  }

  retry() {
    this.setStatus("reconnecting");
    const base = Math.min(10000, 300 * 2 ** Math.min(this.attempt, 6));
    const delay = base * (0.5 + Math.random() / 2);
    setTimeout(() => this.connect(), delay);
  }

  /** Live ticks are not replayed on resume: fetch the matches that are live right now. */
  async refreshLive() {
    try {
      const ms = await api("GET", `${tournamentPath(this.tid)}/matches?state=live`, undefined, { token: this.token });
      this.applyMatches(ms);
    } catch {
      /* the next frame will tell */
    }
  }

  onFrame(f) {
    if (f.type === "snapshot") {
      if (f.tournament) this.setTournament({ ...f.tournament, seq: f.seq ?? f.tournament.seq });
      if (typeof f.seq === "number") this.lastSeq = f.seq;
    } else if (f.type === "event") {
      if (typeof f.seq === "number") this.lastSeq = Math.max(this.lastSeq ?? 0, f.seq);
      if (this.t) {
        this.t.seq = this.lastSeq;
        if (typeof this.t.version === "number") this.t.version += 1;
      }
      const ev = f.event || {};
      if (f.matches && f.matches.length) this.applyMatches(f.matches);
      this.dispatchEvent(new CustomEvent("event", { detail: ev }));
      if (!MATCH_EVENTS.has(ev.type)) this.scheduleRefetch();
    } else if (f.type === "live") {
      if (f.matches && f.matches.length) this.applyMatches(f.matches);
    }
  }

  applyMatches(ms) {
    if (!this.t) return;
    let unknown = false;
    const changed = [];
    for (const m of ms) {
      const old = this.byId.get(m.id);
      if (!old) {
        unknown = true;
        this.t.matches.push(m);
        this.byId.set(m.id, m);
      } else {
        Object.assign(old, m);
        changed.push(old);
      }
    }
    if (unknown) this.dispatchEvent(new CustomEvent("snapshot", { detail: this.t }));
    else if (changed.length) this.dispatchEvent(new CustomEvent("matches", { detail: changed }));
  }
}
