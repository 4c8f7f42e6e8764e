/*
 * Put a tourney bracket in any web page, sized to its content:
 *
 *   <script src="https://your-tourney/static/embed.js" data-tournament="t_..." async></script>
 *
 * Optional: data-lang (en, de, fr, es, pt), data-section (all, winners, losers, finals, groups,
 * round, standings), data-theme (light, dark), data-view (list, bracket), data-height (the
 * height in px before the bracket has said how tall it is; 480 by default), data-title (the
 * frame's accessible name). The frame is inserted where the script tag is; it grows and shrinks
 * with the bracket, which reports its height with postMessage. A classic script on purpose:
 * document.currentScript is how each tag finds itself, several per page included.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !me.dataset.tournament) return;
  var origin = new URL(me.src, location.href).origin;
  var src = new URL("/t/" + encodeURIComponent(me.dataset.tournament), origin);
  src.searchParams.set("embed", "auto"); // the page as tall as its content, which it reports
  ["lang", "section", "theme", "view"].forEach(function (k) {
    if (me.dataset[k]) src.searchParams.set(k, me.dataset[k]);
  });
  var frame = document.createElement("iframe");
  frame.src = src.toString();
  frame.title = me.dataset.title || "Tournament bracket";
  frame.loading = "lazy";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.display = "block";
  frame.style.height = (Number(me.dataset.height) || 480) + "px";
  me.parentNode.insertBefore(frame, me.nextSibling);
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow) return;
    var d = e.data;
    if (d && d.type === "tourney:height" && d.height > 0) frame.style.height = Math.ceil(d.height) + "px";
  });
})();
