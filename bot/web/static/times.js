// Rewrites the times of a page (<time datetime="…Z">) into the visitor's own timezone.
// Served by the bot from /program/static/ (no inline script: the pages' CSP is script-src 'self').
// A page asked for with ?tz= keeps the server's times in that zone, so this script is not loaded.
(function () {
  "use strict";
  var format;
  try {
    format = new Intl.DateTimeFormat(undefined, {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
  } catch (e) {
    return;
  }
  function rewrite() {
    var zone = format.resolvedOptions().timeZone;
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var at = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(at.getTime())) {
        times[i].textContent = format.format(at);
      }
    }
    var note = document.getElementById("tz-note");
    if (note && zone && times.length) {
      note.textContent = "Times are shown in your timezone (" + zone + ").";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", rewrite);
  } else {
    rewrite();
  }
})();
