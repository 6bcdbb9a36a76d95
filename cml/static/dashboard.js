// Draws the figures the server built; the tables under them carry the same numbers.
(function () {
  "use strict";
  // On a phone the toolbar would cover the legend; the figures are in the table anyway.
  var phone = window.matchMedia("(max-width: 40rem)");
  function draw() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true, displaylogo: false, displayModeBar: phone.matches ? false : "hover",
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      });
    });
  }
  if (window.Plotly) { draw(); } else { window.addEventListener("load", draw); }
})();
