// The viewer on each kind of screen: classes on <html> that the stylesheets key on (overlay,
// embed, score bug, theme, list or bracket view), the overlay fitted to its output size, the
// height an embed reports to the page around it, and the bracket zoomed for print.
import { $ } from "../draw/dom.js";
import { fitForPrint, fitInto, fitNames, markNames } from "../draw/fit.js";

const VIEW_KEY = "tourney.view";
const NARROW = "(max-width: 700px)";
// card widths in rem: the normal page, and an overlay (names in full matter more there)
const CARD_REM = { page: [12.5, 19], narrow: [11, 15], overlay: [13, 26], print: [9.5, 13] };

const rem = () => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;

export class Screens {
  constructor(opts, board) {
    this.opts = opts;
    this.board = board;
    this.queued = false;
    this.view = null;
  }

  setup() {
    const root = document.documentElement.classList;
    const o = this.opts;
    if (o.overlay) root.add("overlay");
    if (o.embed) root.add("embed");
    if (o.embed === "auto") root.add("embed-auto");
    if (o.section === "bug") root.add("score-bug");
    if (!o.header) root.add("no-header");
    root.add(`section-${o.section}`);
    if (o.theme !== "auto") document.documentElement.dataset.theme = o.theme;
    if (!o.overlay) this.setupViews();
    if (o.overlay) {
      this.baseSize();
      addEventListener("resize", () => {
        this.baseSize();
        this.sized();
        this.refit();
      });
      if (typeof ResizeObserver !== "undefined") {
        const watch = new ResizeObserver(() => this.refit());
        watch.observe($("board"));
        watch.observe($("bug"));
      }
    }
    if (o.embed === "auto" && window.parent !== window) this.reportHeight();
    matchMedia("print").addEventListener("change", (e) => this.printing(e.matches));
    addEventListener("beforeprint", () => this.printing(true));
    addEventListener("afterprint", () => this.printing(false));
  }

  /** The list of matches by round on narrow screens, the bracket on wide ones; a choice made
   * with the toggle (or ?view=) is kept. */
  setupViews() {
    let chosen = this.opts.view;
    try {
      chosen = chosen || localStorage.getItem(VIEW_KEY);
    } catch {
      /* no storage */
    }
    const narrow = matchMedia(NARROW);
    const pick = () => this.setView(chosen || (narrow.matches ? "list" : "bracket"));
    narrow.addEventListener("change", pick);
    for (const v of ["list", "bracket"]) {
      $(`view-${v}`).addEventListener("click", () => {
        chosen = v;
        try {
          localStorage.setItem(VIEW_KEY, v);
        } catch {
          /* no storage */
        }
        pick();
      });
    }
    pick();
  }

  setView(v) {
    this.view = v;
    $("view-list").setAttribute("aria-pressed", String(v === "list"));
    $("view-bracket").setAttribute("aria-pressed", String(v === "bracket"));
    this.applyView();
  }

  /** The list, or the bracket: always the bracket on paper. */
  applyView() {
    const list = this.view === "list" && !document.documentElement.classList.contains("printing");
    document.documentElement.classList.toggle("view-list", list);
    $("board").classList.toggle("as-list", list);
    this.sized();
    if (!list) requestAnimationFrame(() => this.board.drawConnectors());
  }

  /** Before the cards are drawn (and when the screen changes): their width, and how much each
   * name must shrink, from the tournament's names. Measured again only when the names or the
   * kind of screen changed. */
  sized(t0 = this.tournament) {
    this.tournament = t0;
    if (!t0) return;
    let kind = this.opts.overlay ? "overlay" : matchMedia(NARROW).matches ? "narrow" : "page";
    if (document.documentElement.classList.contains("printing")) kind = "print";
    const names = t0.participants.map((p) => p.name);
    const key = `${kind} ${rem()} ${names.join("\n")}`;
    if (key === this.fitted) return;
    this.fitted = key;
    const [min, max] = CARD_REM[kind].map((r) => r * rem());
    const { width, levels } = fitNames($("board"), names, { min, max });
    $("board").style.setProperty("--card-w", `${width}px`);
    this.board.cards.fits = levels;
    markNames($("board"), levels);
  }

  /** Fit the overlay to its output size, once per frame however often it is asked. */
  refit() {
    if (!this.opts.overlay || this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.fitOverlay();
    });
  }

  fitOverlay() {
    const o = this.opts;
    const width = o.width || innerWidth;
    const height = o.height || innerHeight;
    const stage = $("viewer");
    stage.style.width = `${width}px`;
    stage.style.height = `${height}px`;
    const area = $("fit");
    const bug = o.section === "bug";
    const content = bug ? $("bug") : $("board");
    const box = { width: area.clientWidth, height: area.clientHeight };
    const scale = fitInto(content, { ...box, scale: o.scale, maxScale: bug ? 1.5 : 2.5, grow: !bug, centre: !bug });
    document.documentElement.dataset.scale = scale.toFixed(3);
    this.board.drawConnectors();
  }

  /** An overlay's type grows with its output: 16 px at 1280 wide, 24 at 1920, 48 at 3840. */
  baseSize() {
    const width = this.opts.width || innerWidth;
    document.documentElement.style.fontSize = `${Math.max(12, (width / 1280) * 16)}px`;
  }

  /** An embed tells the page around it how tall it is (static/embed.js sizes the iframe). */
  reportHeight() {
    let last = 0;
    const send = () => {
      const height = Math.ceil(document.documentElement.scrollHeight);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: "tourney:height", height }, "*");
      }
    };
    new ResizeObserver(send).observe(document.body);
    send();
  }

  /** Print: the bracket (not the list), narrower cards and columns (html.printing, the same
   * in screen and print media, so what is measured here is what prints), each bracket zoomed
   * to its page; afterwards, the screen's layout again. */
  printing(on) {
    const root = document.documentElement.classList;
    if (on === root.contains("printing")) return;
    root.toggle("printing", on);
    this.applyView();
    this.board.drawConnectors();
    if (on) fitForPrint($("board"));
  }
}
