// cem-edu collect, instructor page: refresh the response count every 2 seconds.
(function () {
  "use strict";
  var el = document.getElementById("count");
  if (!el || !window.fetch) { return; }
  var persian = el.getAttribute("data-lang") === "fa";
  function show(n) {
    var s = String(n);
    if (persian) { s = s.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[+d]; }); }
    el.textContent = s;
  }
  function tick() {
    fetch("/admin/count", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d && typeof d.count === "number") { show(d.count); } })
      .catch(function () { /* server restarting: try again at the next tick */ });
  }
  setInterval(tick, 2000);
}());
