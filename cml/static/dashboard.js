// Draws the figures the server built; the tables under them carry the same numbers.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
    });
  }
  if (window.Plotly) { draw(); } else { window.addEventListener("load", draw); }
})();
