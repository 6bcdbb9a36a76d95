// Shows and hides questions as answers change on the page. Only an enhancement: without
// JavaScript every question is shown and the server drops answers that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form[data-answers]");
  if (!form) { return; }
  var earlier = JSON.parse(form.getAttribute("data-answers") || "{}");
  var NUMERIC = { integer: 1, decimal: 1, rating: 1 };

  function answered(v) { return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0); }

  function pageAnswers() {
    var answers = Object.assign({}, earlier);
    form.querySelectorAll(".field[data-type]").forEach(function (field) {
      var id = field.id.replace(/^field-/, ""), type = field.getAttribute("data-type");
      var inputs = field.querySelectorAll("input, select, textarea");
      if (type === "multiple_choice") {
        answers[id] = Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
        return;
      }
      var value = "";
      inputs.forEach(function (i) {
        if (i.type === "radio" || i.type === "checkbox") { if (i.checked) { value = i.value; } }
        else { value = i.value.trim(); }
      });
      if (value !== "" && NUMERIC[type]) {
        var n = Number(value.replace(",", "."));
        value = isFinite(n) ? n : "";
      }
      answers[id] = value;
    });
    return answers;
  }

  function evaluate(c, a) {
    if ("not" in c) { return !evaluate(c.not, a); }
    if ("all" in c) { return c.all.every(function (x) { return evaluate(x, a); }); }
    if ("any" in c) { return c.any.some(function (x) { return evaluate(x, a); }); }
    var v = a[c.question];
    if ("answered" in c) { return answered(v) === c.answered; }
    if (!answered(v)) { return false; }
    if ("equals" in c) { return Array.isArray(v) ? v.indexOf(c.equals) >= 0 : v === c.equals; }
    if ("in" in c) { return Array.isArray(v) ? v.some(function (x) { return c["in"].indexOf(x) >= 0; }) : c["in"].indexOf(v) >= 0; }
    if ("includes" in c) { return Array.isArray(v) && v.indexOf(c.includes) >= 0; }
    var op = "at_least" in c ? "at_least" : "at_most", t = c[op];
    if (t !== null && typeof t === "object") { t = a[t.question]; }
    if (!answered(t) || Array.isArray(v) || typeof v !== typeof t) { return false; }
    return op === "at_least" ? v >= t : v <= t;
  }

  function refresh() {
    var answers = pageAnswers();
    form.querySelectorAll("[data-show-if]").forEach(function (field) {
      field.hidden = !evaluate(JSON.parse(field.getAttribute("data-show-if")), answers);
    });
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
