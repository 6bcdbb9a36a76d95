// One page of a questionnaire drawn from the version's JSON, as the server's form draws it
// (cml/collect/templates/collect/_question.html); the rules themselves are CMLQuestionnaire's.
(function (root) {
  "use strict";
  var YES_NO_DK = [
    {id: "yes", label: {en: "Yes", uk: "Так", ru: "Да"}},
    {id: "no", label: {en: "No", uk: "Ні", ru: "Нет"}},
    {id: "dont_know", label: {en: "Don't know", uk: "Не знаю", ru: "Не знаю"}}
  ];
  var CHOICES = {single_choice: 1, multiple_choice: 1, yes_no_dk: 1, rating: 1};

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function text(definition, value, language) { return value ? root.CMLQuestionnaire.text(definition, value, language) : ""; }

  function choicesOf(definition, question) {
    if (question.type === "rating") {
      var scale = question.scale || {}, low = scale.min === undefined ? 1 : scale.min, high = scale.max === undefined ? 5 : scale.max, points = [];
      for (var point = low; point <= high; point += 1) { points.push({id: String(point), label: null}); }
      return points;
    }
    var lists = definition.choice_lists || {};
    if (question.type === "yes_no_dk") { return lists.yes_no_dk || YES_NO_DK; }
    return typeof question.choices === "string" ? lists[question.choices] || [] : question.choices || [];
  }

  function label(definition, question, language, strings) {
    var parts = [document.createTextNode(text(definition, question.label, language))];
    if (question.required) { parts.push(document.createTextNode(" "), el("span", {"class": "required", "aria-label": strings.required, text: "*"})); }
    return parts;
  }

  function choiceField(definition, question, value, language, strings, hasError) {
    var multiple = question.type === "multiple_choice", chosen = [].concat(value === undefined ? [] : value);
    var options = choicesOf(definition, question).map(function (choice, i) {
      var input = el("input", {type: multiple ? "checkbox" : "radio", name: "q_" + question.id, value: choice.id, id: "q_" + question.id + "-" + i,
        checked: chosen.indexOf(choice.id) >= 0});
      return el("li", {}, [el("label", {}, [input, el("span", {text: choice.label ? text(definition, choice.label, language) : choice.id})])]);
    });
    var legend = el("legend", {}, label(definition, question, language, strings));
    var hint = question.hint ? el("p", {"class": "hint", text: text(definition, question.hint, language)}) : null;
    var ends = null;
    if (question.type === "rating") {
      var scale = question.scale || {};
      ends = el("p", {"class": "scale-ends hint"}, [
        el("span", {text: question.min_label ? text(definition, question.min_label, language) : String(scale.min === undefined ? 1 : scale.min)}),
        el("span", {text: question.max_label ? text(definition, question.max_label, language) : String(scale.max === undefined ? 5 : scale.max)})]);
    }
    return el("fieldset", {"aria-invalid": hasError ? "true" : null}, [legend, hint, ends, el("ul", {"class": question.type === "rating" ? "scale" : "options"}, options)]);
  }

  function inputField(definition, question, value, language, strings, hasError) {
    var id = "q_" + question.id, box;
    var common = {id: id, name: id, "aria-invalid": hasError ? "true" : null, "aria-describedby": hasError ? "error-" + question.id : null};
    if (question.type === "long_text") {
      box = el("textarea", Object.assign({rows: 5, maxlength: question.max_length || 4000}, common));
      box.value = value || "";
    } else {
      var extra = {type: "text", autocomplete: "off"};
      if (question.type === "integer") { extra.inputmode = "numeric"; extra.maxlength = 32; }
      if (question.type === "decimal") { extra.inputmode = "decimal"; extra.maxlength = 32; }
      if (question.type === "date") { extra.type = "date"; }
      if (question.type === "text") { extra.maxlength = question.max_length || 500; }
      box = el("input", Object.assign(extra, common));
      box.value = value || "";
    }
    var unit = question.unit ? el("span", {"class": "unit", text: text(definition, question.unit, language)}) : null;
    var sensitive = question.type === "text" || question.type === "long_text" ? el("p", {"class": "hint sensitive", text: strings.sensitive}) : null;
    return [el("label", {"for": id}, label(definition, question, language, strings)),
      question.hint ? el("p", {"class": "hint", text: text(definition, question.hint, language)}) : null,
      sensitive, el("div", {"class": "with-unit"}, [box, unit])];
  }

  /** The fields of one section, each in a div#field-<id> like the server's form, with its error if any. */
  function drawSection(container, definition, index, raw, language, strings, errors) {
    container.textContent = "";
    definition.sections[index].questions.forEach(function (question) {
      var error = errors[question.id], value = raw[question.id];
      var body = CHOICES[question.type] ? [choiceField(definition, question, value, language, strings, !!error)] : inputField(definition, question, value, language, strings, !!error);
      if (error) { body.push(el("p", {"class": "error", id: "error-" + question.id, role: "alert", text: error})); }
      container.appendChild(el("div", {"class": "field q-" + question.type + (error ? " has-error" : ""), id: "field-" + question.id, "data-type": question.type}, body));
    });
  }

  /** This section's answers as a form would post them: strings, lists for multiple choice, nothing for an unticked choice. */
  function readSection(container, definition, index) {
    var raw = {};
    definition.sections[index].questions.forEach(function (question) {
      var inputs = container.querySelectorAll("[name='q_" + question.id + "']");
      if (question.type === "multiple_choice") {
        var ticked = Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
        if (ticked.length) { raw[question.id] = ticked; }
        return;
      }
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.type === "radio") { if (input.checked) { raw[question.id] = input.value; } } else { raw[question.id] = input.value; }
      });
    });
    return raw;
  }

  /** Hides the questions that do not apply, given every answer so far (the server drops their answers too). */
  function showApplying(container, definition, index, raw, today) {
    var cleaned = root.CMLQuestionnaire.clean(definition, raw, today).answers;
    definition.sections[index].questions.forEach(function (question) {
      var field = container.querySelector("#field-" + question.id);
      if (field) { field.hidden = !root.CMLQuestionnaire.applies(definition, question.id, cleaned); }
    });
  }

  /** An answer as the review page shows it: choice labels, else the value typed. */
  function shown(definition, question, value, language) {
    if (value === undefined || value === null) { return ""; }
    if (CHOICES[question.type] && question.type !== "rating") {
      var chosen = [].concat(value).map(String);
      return choicesOf(definition, question).filter(function (c) { return chosen.indexOf(c.id) >= 0; })
        .map(function (c) { return text(definition, c.label, language); }).join(", ");
    }
    return String(value);
  }

  root.CMLForm = {el: el, text: text, drawSection: drawSection, readSection: readSection, showApplying: showApplying, shown: shown, choicesOf: choicesOf};
})(this);
