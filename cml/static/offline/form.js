// One page of a questionnaire drawn from the version's JSON, as the server's form draws it
// (cml/collect/templates/collect/_question.html); the rules themselves are CMLQuestionnaire's.
(function (root) {
  "use strict";
  var YES_NO_DK = [
    {id: "yes", label: {en: "Yes", uk: "Так", ru: "Да"}},
    {id: "no", label: {en: "No", uk: "Ні", ru: "Нет"}},
    {id: "dont_know", label: {en: "Don't know", uk: "Не знаю", ru: "Не знаю"}}
  ];
  // Widget kinds drawn as a list of options (cml/core/question_types says which widget a type uses).
  var CHOICES = {radio: 1, checkboxes: 1, scale: 1};

  function kindOf(question) { return root.CMLQuestionTypes[question.type] || {}; }

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
    var source = kindOf(question).choices;
    if (source === "scale") {
      var scale = question.scale || {}, low = scale.min === undefined ? 1 : scale.min, high = scale.max === undefined ? 5 : scale.max, points = [];
      for (var point = low; point <= high; point += 1) { points.push({id: String(point), label: null}); }
      return points;
    }
    var lists = definition.choice_lists || {};
    if (source === "yes_no_dk") { return lists.yes_no_dk || YES_NO_DK; }
    if (source !== "list") { return []; }
    return typeof question.choices === "string" ? lists[question.choices] || [] : question.choices || [];
  }

  function label(definition, question, language, strings) {
    var parts = [document.createTextNode(text(definition, question.label, language))];
    if (question.required) { parts.push(document.createTextNode(" "), el("span", {"class": "required", "aria-label": strings.required, text: "*"})); }
    return parts;
  }

  function choiceField(definition, question, value, language, strings, hasError) {
    var widget = kindOf(question).widget, multiple = widget === "checkboxes", chosen = [].concat(value === undefined ? [] : value);
    var filtered = !!question.choice_filter;
    var options = choicesOf(definition, question).map(function (choice, i) {
      var input = el("input", {type: multiple ? "checkbox" : "radio", name: "q_" + question.id, value: choice.id, id: "q_" + question.id + "-" + i,
        checked: chosen.indexOf(choice.id) >= 0});
      var only = filtered && choice.filter !== undefined ? [].concat(choice.filter).join(" ") : null;
      return el("li", {"data-filter": only}, [el("label", {}, [input, el("span", {text: choice.label ? text(definition, choice.label, language) : choice.id})])]);
    });
    var legend = el("legend", {}, label(definition, question, language, strings));
    var hint = question.hint ? el("p", {"class": "hint", text: text(definition, question.hint, language)}) : null;
    var ends = null;
    if (widget === "scale") {
      var scale = question.scale || {};
      ends = el("p", {"class": "scale-ends hint"}, [
        el("span", {text: question.min_label ? text(definition, question.min_label, language) : String(scale.min === undefined ? 1 : scale.min)}),
        el("span", {text: question.max_label ? text(definition, question.max_label, language) : String(scale.max === undefined ? 5 : scale.max)})]);
    }
    return el("fieldset", {"aria-invalid": hasError ? "true" : null}, [legend, hint, ends, el("ul", {"class": widget === "scale" ? "scale" : "options"}, options)]);
  }

  function inputField(definition, question, value, language, strings, hasError) {
    var id = "q_" + question.id, box, kind = kindOf(question), widget = kind.widget;
    var common = {id: id, name: id, "aria-invalid": hasError ? "true" : null, "aria-describedby": hasError ? "error-" + question.id : null};
    if (widget === "box") {
      box = el("textarea", Object.assign({rows: 5, maxlength: question.max_length || kind.max_length}, common));
      box.value = value || "";
    } else {
      var extra = {type: "text", autocomplete: "off"};
      if (widget === "number") { extra.inputmode = kind.answer === "whole" ? "numeric" : "decimal"; extra.maxlength = 32; }
      if (widget === "date") { extra.type = "date"; }
      if (widget === "time") { extra.type = "time"; extra.min = question.min; extra.max = question.max; }
      if (widget === "line") { extra.maxlength = question.max_length || kind.max_length; }
      box = el("input", Object.assign(extra, common));
      box.value = value || "";
    }
    var unit = question.unit ? el("span", {"class": "unit", text: text(definition, question.unit, language)}) : null;
    var sensitive = kind.free_text ? el("p", {"class": "hint sensitive", text: strings.sensitive}) : null;
    return [el("label", {"for": id}, label(definition, question, language, strings)),
      question.hint ? el("p", {"class": "hint", text: text(definition, question.hint, language)}) : null,
      sensitive, el("div", {"class": "with-unit"}, [box, unit])];
  }

  /** The fields of one section, each in a div#field-<id> like the server's form, with its error if any. */
  function drawSection(container, definition, index, raw, language, strings, errors) {
    container.textContent = "";
    definition.sections[index].questions.forEach(function (question) {
      if (kindOf(question).widget === "note") {  // text shown, nothing to answer
        container.appendChild(el("div", {"class": "field note", id: "field-" + question.id, role: "note"}, [
          el("p", {"class": "note-text", text: text(definition, question.label, language)}),
          question.hint ? el("p", {"class": "hint", text: text(definition, question.hint, language)}) : null]));
        return;
      }
      var error = errors[question.id], value = raw[question.id];
      var body = CHOICES[kindOf(question).widget] ? [choiceField(definition, question, value, language, strings, !!error)] : inputField(definition, question, value, language, strings, !!error);
      if (error) { body.push(el("p", {"class": "error", id: "error-" + question.id, role: "alert", text: error})); }
      container.appendChild(el("div", {"class": "field q-" + question.type + (error ? " has-error" : ""), id: "field-" + question.id, "data-type": question.type,
        "data-choice-filter": question.choice_filter || null}, body));
    });
  }

  /** This section's answers as a form would post them: strings, lists for multiple choice, nothing for an unticked choice. */
  function readSection(container, definition, index) {
    var raw = {};
    definition.sections[index].questions.forEach(function (question) {
      var inputs = container.querySelectorAll("[name='q_" + question.id + "']");
      if (kindOf(question).answer === "choices") {
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

  /** Hides the questions that do not apply, given every answer so far (the server drops their answers too),
   * and the choices a choice filter does not offer (unticking them: `raw` loses that answer). */
  function showApplying(container, definition, index, raw, today) {
    var cleaned = root.CMLQuestionnaire.clean(definition, raw, today).answers;
    definition.sections[index].questions.forEach(function (question) {
      var field = container.querySelector("#field-" + question.id);
      if (!field) { return; }
      field.hidden = !root.CMLQuestionnaire.applies(definition, question.id, cleaned);
      if (!question.choice_filter) { return; }
      var offered = root.CMLQuestionnaire.offeredChoices(definition, question, cleaned).map(function (c) { return c.id; });
      Array.prototype.forEach.call(field.querySelectorAll("li"), function (item) {
        var input = item.querySelector("input");
        item.hidden = offered.indexOf(input.value) < 0;
        if (item.hidden && input.checked) {
          input.checked = false;
          delete raw[question.id];
        }
      });
    });
  }

  /** An answer as the review page shows it: choice labels, else the value typed. */
  function shown(definition, question, value, language) {
    if (value === undefined || value === null) { return ""; }
    if (kindOf(question).choices === "list" || kindOf(question).choices === "yes_no_dk") {
      var chosen = [].concat(value).map(String);
      return choicesOf(definition, question).filter(function (c) { return chosen.indexOf(c.id) >= 0; })
        .map(function (c) { return text(definition, c.label, language); }).join(", ");
    }
    return String(value);
  }

  root.CMLForm = {el: el, text: text, drawSection: drawSection, readSection: readSection, showApplying: showApplying, shown: shown, choicesOf: choicesOf};
})(this);
