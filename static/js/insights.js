/* Draws the statistics charts: each <div data-chart="ID"> reads its option from <script id="ID" type="application/json">
   (built in Python, insights/charts.py). A click on a bar opens the case list behind it. Animation is off under
   automation (navigator.webdriver) so that screenshots are stable; charts follow the container's width. */
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    if (spec.height) { el.style.height = spec.height + "px"; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var option = spec.option;
    option.animation = !navigator.webdriver;
    chart.setOption(option);
    var links = spec.links || [];
    if (links.length) {
      chart.on("click", function (params) {
        var url = links[params.dataIndex];
        if (url) { window.location.href = url; }
      });
      chart.getZr().setCursorStyle("pointer");
    }
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
    el.dataset.ready = "1";
  }
  function init() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
