// Shows and hides questions as answers change on the page, with the server's own rules
// (offline/questionnaire.js: the page's answers cleaned as the server will clean them, so an
// answer it would refuse counts as no answer). Only an enhancement: without JavaScript every
// question is shown and the server drops answers that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form[data-answers]");
  var engine = window.CMLQuestionnaire;
  if (!form || !engine) { return; }
  var earlier = JSON.parse(form.getAttribute("data-answers") || "{}");
  var definition = JSON.parse(form.getAttribute("data-definition") || "{\"sections\": []}");
  var today = form.getAttribute("data-today");

  // What the form would post, as cml.collect.pages.raw_answers reads it.
  function pageRaw() {
    var raw = {};
    form.querySelectorAll(".field[data-type]").forEach(function (field) {
      var values = [];
      field.querySelectorAll("input, select, textarea").forEach(function (input) {
        if ((input.type !== "radio" && input.type !== "checkbox") || input.checked) { values.push(input.value); }
      });
      var several = field.getAttribute("data-type") === "multiple_choice" || values.length !== 1;
      raw[field.id.replace(/^field-/, "")] = several ? values : values[0];
    });
    return raw;
  }

  function answersNow() { return Object.assign({}, earlier, engine.clean(definition, pageRaw(), today, earlier).answers); }

  // A choice filter answered on this page: offer only the choices its answer allows (and untick the others).
  function filterChoices(answers) {
    form.querySelectorAll("[data-choice-filter]").forEach(function (field) {
      var decider = answers[field.getAttribute("data-choice-filter")];
      field.querySelectorAll("li[data-filter]").forEach(function (item) {
        var offered = decider !== undefined && item.getAttribute("data-filter").split(" ").indexOf(String(decider)) >= 0;
        item.hidden = !offered;
        if (!offered) { item.querySelectorAll("input").forEach(function (input) { input.checked = false; }); }
      });
    });
  }

  function refresh() {
    filterChoices(answersNow());
    var answers = answersNow();
    form.querySelectorAll("[data-show-if]").forEach(function (field) {
      field.hidden = !engine.evaluate(JSON.parse(field.getAttribute("data-show-if")), answers);
    });
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
