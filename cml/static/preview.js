// The preview of a questionnaire draft for its administrator: page by page exactly as the offline app
// draws it (CMLForm) with its rules (CMLQuestionnaire), in each of the questionnaire's languages.
// Answers live in this page's memory only: nothing is saved, sent or put in the app's IndexedDB.
(function (root) {
  "use strict";
  var Form = root.CMLForm, Q = root.CMLQuestionnaire, el = Form.el;
  var main = document.getElementById("preview"), screen = document.getElementById("preview-screen");
  var SETUP = JSON.parse(document.getElementById("preview-setup").textContent), definition = SETUP.definition;
  var state = {lang: main.getAttribute("data-language"), answers: {}, draw: null};

  function words() { return SETUP.strings[state.lang] || SETUP.strings.en; }

  function t(key, params) {
    var template = words()[key] || SETUP.strings.en[key] || key;
    return template.replace(/%\((\w+)\)s/g, function (whole, name) { return params && name in params ? String(params[name]) : whole; });
  }

  function today() {
    var now = new Date();
    return [now.getFullYear(), ("0" + (now.getMonth() + 1)).slice(-2), ("0" + now.getDate()).slice(-2)].join("-");
  }

  function button(text, attributes, onClick) {
    var node = el("button", Object.assign({type: "button"}, attributes || {}), [document.createTextNode(text)]);
    node.addEventListener("click", onClick);
    return node;
  }

  // As the offline app words an answer's problem (cml/static/offline/app.js `message`).
  function message(error) {
    if (error.code === "constraint" && error.message) { return Form.text(definition, error.message, state.lang); }
    var messages = SETUP.messages || {}, plurals = SETUP.plurals || {};
    var template = (messages[state.lang] || messages.en || {})[error.code] || (messages.en || {}).unknown;
    if (!template) { return error.message ? Form.text(definition, error.message, state.lang) : error.code; }
    var params = error.params || {}, forms = (plurals[state.lang] || {})[error.code];
    var count = error.code === "too_many_choices" ? params.max : params.min;
    if (forms && typeof Intl === "object" && Intl.PluralRules) {
      template = forms[new Intl.PluralRules(state.lang).select(Number(count))] || forms.other || template;
    }
    return template.replace(/%\((\w+)\)[sd]/g, function (whole, name) { return name in params ? String(params[name]) : whole; });
  }

  function shownSections() { return Q.shownSections(definition, state.answers, today()); }

  function show(title, children, draw) {
    state.draw = draw;
    screen.textContent = "";
    screen.setAttribute("lang", state.lang);
    var heading = el("h2", {tabindex: "-1", text: title});
    screen.appendChild(heading);
    children.forEach(function (child) { if (child) { screen.appendChild(child); } });
    heading.focus();
  }

  function sectionErrors(index) {
    var cleaned = Q.clean(definition, state.answers, today()), errors = {};
    definition.sections[index].questions.forEach(function (q) { if (cleaned.errors[q.id]) { errors[q.id] = message(cleaned.errors[q.id]); } });
    return errors;
  }

  function openPage(number, errors) {
    var index = number - 1, section = definition.sections[index], shown = shownSections();
    errors = errors || {};
    var fields = el("div", {"class": "fields"});
    Form.drawSection(fields, definition, index, state.answers, state.lang, words(), errors);
    Form.showApplying(fields, definition, index, state.answers, today());
    function keep() {
      var raw = Form.readSection(fields, definition, index);
      section.questions.forEach(function (q) { if (q.id in raw) { state.answers[q.id] = raw[q.id]; } else { delete state.answers[q.id]; } });
    }
    var back = button(t("back"), {value: "back"}, function () {
      keep();
      var earlier = shown.filter(function (n) { return n < number; });
      if (earlier.length) { openPage(earlier[earlier.length - 1]); }
    });
    back.disabled = shown.indexOf(number) <= 0;
    var form = el("form", {"class": "card", novalidate: true}, [fields, el("div", {"class": "buttons nav"}, [
      el("button", {"class": "primary", type: "submit", value: "next", text: t("next")}), back])]);
    form.addEventListener("input", function () { keep(); Form.showApplying(fields, definition, index, state.answers, today()); });
    form.addEventListener("change", function () { keep(); Form.showApplying(fields, definition, index, state.answers, today()); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keep();
      var problems = sectionErrors(index);
      if (Object.keys(problems).length) {
        openPage(number, problems);
        var first = screen.querySelector(".has-error input, .has-error textarea");
        if (first) { first.focus(); }
        return;
      }
      var later = shownSections().filter(function (n) { return n > number; });
      if (later.length) { openPage(later[0]); } else { review(); }
    });
    show(Form.text(definition, section.title, state.lang), [
      el("p", {"class": "progress", text: Form.text(definition, definition.title, state.lang) + " · " + t("page_of", {n: shown.indexOf(number) + 1, total: shown.length})}),
      Object.keys(errors).length ? el("p", {"class": "flash error", role: "alert", text: t("correct_below")}) : null, form],
      function () { openPage(number, errors); });
  }

  function review() {
    var cleaned = Q.clean(definition, state.answers, today()), blocks = [];
    shownSections().forEach(function (number) {
      var section = definition.sections[number - 1], rows = [];
      section.questions.forEach(function (q) {
        if (!(q.id in cleaned.answers) && !(q.id in cleaned.errors)) { return; }
        rows.push(el("dt", {text: Form.text(definition, q.label, state.lang)}));
        rows.push(cleaned.errors[q.id] ? el("dd", {"class": "error", text: message(cleaned.errors[q.id])}) : el("dd", {text: Form.shown(definition, q, cleaned.answers[q.id], state.lang)}));
      });
      blocks.push(el("section", {"class": "card"}, [el("h3", {}, [document.createTextNode(Form.text(definition, section.title, state.lang) + " "),
        button(t("change"), {"class": "link edit"}, function () { openPage(number); })]), el("dl", {"class": "answers"}, rows)]));
    });
    var ok = Object.keys(cleaned.errors).length === 0;
    show(t("review"), blocks.concat([ok ? null : el("p", {"class": "flash error", text: t("correct_below")}),
      el("p", {"class": "hint", id: "preview-end", text: main.getAttribute("data-end")}),
      el("div", {"class": "buttons nav"}, [button(t("back"), {}, function () { var s = shownSections(); openPage(s[s.length - 1]); })])]), review);
  }

  function setLanguage(code) {
    state.lang = code;
    document.querySelectorAll("#preview-languages button").forEach(function (b) {
      var current = b.getAttribute("data-lang") === code;
      b.classList.toggle("current", current);
      b.setAttribute("aria-pressed", current ? "true" : "false");
    });
  }

  document.querySelectorAll("#preview-languages button").forEach(function (b) {
    b.addEventListener("click", function () { setLanguage(b.getAttribute("data-lang")); if (state.draw) { state.draw(); } });
  });
  document.getElementById("preview-restart").addEventListener("click", function () { state.answers = {}; openPage(shownSections()[0]); });
  setLanguage(state.lang);
  openPage(shownSections()[0]);
})(this);
