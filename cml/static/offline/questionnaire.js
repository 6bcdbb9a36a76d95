// The meaning of a questionnaire in the browser: skip logic, required questions, types,
// limits, choice rules and constraints, exactly as cml/core/answers.py cleans answers.
// Works on the version's JSON as stored; tests/parity holds the cases both must agree on.
(function (root) {
  "use strict";

  var own = Object.prototype.hasOwnProperty;
  var isArray = Array.isArray;
  // What each question type is (answer kind, widget, limits): generated from cml/core/question_types.
  var TYPES = typeof module === "object" && module.exports ? require("./question_types.js") : root.CMLQuestionTypes;
  var YES_NO_DK = ["yes", "no", "dont_know"];
  var MAX_NUMBER_CHARS = 32;
  var FUTURE_ANSWER_DAYS = 366;
  // What Python's str.strip() and Decimal treat as white space (str.isspace).
  var SPACE = "\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003" +
    "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
  // Where each run of ten Unicode decimal digits (0-9) starts: Decimal reads them all.
  var DIGIT_RUNS = [0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6,
    0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0,
    0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8,
    0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0];
  // Decimal's exact limits (libmpdec's largest context): beyond them a string is refused.
  var EMAX = "999999999999999999", ETINY = "-1999999999999999997";
  var INT64_MIN = "-9223372036854775808", INT64_MAX = "9223372036854775807";
  var TWO_63 = 9223372036854775808;

  function has(object, key) { return object !== null && typeof object === "object" && own.call(object, key); }
  function get(object, key) { return has(object, key) ? object[key] : undefined; }

  function isAnswered(value) {
    return value !== undefined && value !== null && value !== "" && !(isArray(value) && value.length === 0);
  }

  // --- conditions (cml/core/questionnaire/conditions.py) --------------------------------

  function evaluate(condition, answers) {
    var i;
    if (has(condition, "not")) { return !evaluate(condition.not, answers); }
    if (has(condition, "all")) {
      for (i = 0; i < condition.all.length; i++) { if (!evaluate(condition.all[i], answers)) { return false; } }
      return true;
    }
    if (has(condition, "any")) {
      for (i = 0; i < condition.any.length; i++) { if (evaluate(condition.any[i], answers)) { return true; } }
      return false;
    }
    var answer = get(answers, condition.question);
    if (has(condition, "answered")) { return isAnswered(answer) === condition.answered; }
    if (!isAnswered(answer)) { return false; }
    if (has(condition, "equals")) {
      return isArray(answer) ? answer.indexOf(condition.equals) >= 0 : answer === condition.equals;
    }
    if (has(condition, "in")) {
      var options = isArray(condition["in"]) ? condition["in"] : [condition["in"]];
      if (isArray(answer)) {
        for (i = 0; i < answer.length; i++) { if (options.indexOf(answer[i]) >= 0) { return true; } }
        return false;
      }
      return options.indexOf(answer) >= 0;
    }
    if (has(condition, "includes")) { return isArray(answer) && answer.indexOf(condition.includes) >= 0; }
    var atLeast = has(condition, "at_least");
    var threshold = atLeast ? condition.at_least : condition.at_most;
    if (threshold !== null && typeof threshold === "object" && !isArray(threshold)) {
      threshold = get(answers, threshold.question);
    }
    if (!isAnswered(threshold) || isArray(answer) || isArray(threshold) || typeof threshold === "boolean") { return false; }
    if ((typeof answer === "string") !== (typeof threshold === "string")) { return false; }
    if (typeof answer === "string") { return atLeast ? compareText(answer, threshold) >= 0 : compareText(answer, threshold) <= 0; }
    return atLeast ? answer >= threshold : answer <= threshold;
  }

  // --- text as Python sees it: code points, strip(), NUL and lone surrogates -----------

  function codePoints(text) { return text.match(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g) || []; }

  // Python compares strings by code point; JavaScript by UTF-16 unit (they differ past U+FFFF).
  function compareText(a, b) {
    if (a === b) { return 0; }
    var x = codePoints(a), y = codePoints(b), n = Math.min(x.length, y.length), i;
    for (i = 0; i < n; i++) {
      if (x[i] !== y[i]) { return x[i].codePointAt(0) < y[i].codePointAt(0) ? -1 : 1; }
    }
    return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
  }

  function strip(text) {
    var start = 0, end = text.length;
    while (start < end && SPACE.indexOf(text.charAt(start)) >= 0) { start++; }
    while (end > start && SPACE.indexOf(text.charAt(end - 1)) >= 0) { end--; }
    return text.slice(start, end);
  }

  // cml.core.bounds.plain_text: no NUL, a lone surrogate becomes U+FFFD. Lone surrogates first:
  // to Python "\ud800\x00\udc00" stays two lone surrogates when the NUL goes, never one pair.
  function plainText(text) {
    if (/[\ud800-\udfff]/.test(text)) {
      text = text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g, function (unit) {
        return unit.length === 2 ? unit : "\ufffd";
      });
    }
    return text.indexOf("\u0000") >= 0 ? text.replace(/\u0000/g, "") : text;
  }

  function length(text) { return codePoints(text).length; }
  function head(text, count) { return codePoints(text).slice(0, count).join(""); }

  // --- numbers, as Decimal reads them ---------------------------------------------------

  function decimalDigit(code) {
    for (var i = 0; i < DIGIT_RUNS.length; i++) {
      if (code >= DIGIT_RUNS[i] && code < DIGIT_RUNS[i] + 10) { return code - DIGIT_RUNS[i]; }
    }
    return -1;
  }

  function big(text) { return typeof BigInt === "function" ? BigInt(text) : Number(text); }

  // A Decimal string as {negative, digits, exponent} (digits without leading zeros, the
  // exponent a decimal string), "special" for NaN and infinities, or null when Decimal refuses it.
  function readDecimal(text) {
    var ascii = "", points = codePoints(strip(text)), i, code, digit;
    for (i = 0; i < points.length; i++) {
      code = points[i].codePointAt(0);
      if (points[i] === "_") { continue; }
      if (code > 0 && code < 128) { ascii += points[i]; continue; }
      digit = decimalDigit(code);
      if (digit < 0) { return null; }
      ascii += String(digit);
    }
    var match = /^([+-]?)(?:(nan|snan)([0-9]*)|(inf|infinity)|([0-9]*)(?:\.([0-9]*))?(?:e([+-]?[0-9]+))?)$/i.exec(ascii);
    if (!match) { return null; }
    if (match[2] !== undefined || match[4] !== undefined) { return "special"; }
    var whole = match[5], fraction = match[6] || "";
    if (whole === "" && fraction === "") { return null; }
    var digits = (whole + fraction).replace(/^0+/, "") || "0";
    var exponent = (match[7] || "0").replace(/^([+-]?)0*(?=[0-9])/, "$1").replace(/^\+/, "");
    if (exponent.replace("-", "").length > 19) { return null; }  // far past either limit
    var shifted = big(exponent) - big(String(fraction.length));
    if (shifted + big(String(digits.length - 1)) > big(EMAX) || shifted < big(ETINY)) { return null; }
    return { negative: match[1] === "-", digits: digits, exponent: String(shifted) };
  }

  function fail(code, params) { return { error: { code: code, params: params || {}, message: null } }; }

  // cml.core.answers._plain: a bound as the error shows it.
  function plainBound(bound) { return typeof bound === "string" ? Number(bound) : bound; }

  function cleanNumber(question, text) {
    if (length(text) > MAX_NUMBER_CHARS) { return fail("not_a_number"); }
    var whole = question.answer === "whole";
    var number = /^[0-9]+$/.test(text) ? { negative: false, digits: text.replace(/^0+/, "") || "0", exponent: "0" }
      : readDecimal(text.replace(/,/g, ".").replace(/[\u00a0 ]/g, ""));
    if (number === null) { return fail(whole ? "not_an_integer" : "not_a_number"); }
    if (number === "special") { return fail("not_a_number"); }
    var low = question.minimum === null ? INT64_MIN : question.minimum;
    var high = question.maximum === null ? INT64_MAX : question.maximum;
    return whole ? wholeNumber(number, low, high) : decimalNumber(number, low, high);
  }

  function wholeNumber(number, low, high) {
    var digits = number.digits, exponent = Number(number.exponent);
    if (exponent < 0) {
      var kept = digits.length + exponent;
      if (!/^0*$/.test(digits.slice(Math.max(kept, 0)))) { return fail("not_an_integer"); }
      digits = kept > 0 ? digits.slice(0, kept) : "0";
    } else if (digits !== "0") {
      if (digits.length + exponent > 400) {  // beyond any bound a questionnaire can set
        return number.negative ? fail("below_min", { min: plainBound(low) }) : fail("above_max", { max: plainBound(high) });
      }
      digits += new Array(exponent + 1).join("0");
    }
    var text = (number.negative && digits !== "0" ? "-" : "") + digits, value = big(text);
    if (typeof low === "string" ? value < big(low) : value < low) { return fail("below_min", { min: plainBound(low) }); }
    if (typeof high === "string" ? value > big(high) : value > high) { return fail("above_max", { max: plainBound(high) }); }
    return { value: Number(text) };
  }

  function decimalNumber(number, low, high) {
    var value = Number((number.negative ? "-" : "") + number.digits + "e" + number.exponent);
    if (!isFinite(value)) { return fail("not_a_number"); }
    if (value < Number(low)) { return fail("below_min", { min: plainBound(low) }); }
    if (typeof high === "string" ? value >= TWO_63 : value > high) { return fail("above_max", { max: plainBound(high) }); }
    return { value: value };
  }

  // --- dates, as date.fromisoformat reads them (Python 3.11) -----------------------------

  function daysFromCivil(y, m, d) {
    y -= m <= 2 ? 1 : 0;
    var era = Math.floor(y / 400), yoe = y - era * 400;
    var doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  }

  function civilFromDays(z) {
    z += 719468;
    var era = Math.floor(z / 146097), doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153), d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    var m = mp + (mp < 10 ? 3 : -9);
    return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
  }

  function isLeap(y) { return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0); }
  function monthDays(y, m) { return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }
  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }
  function iso(ymd) { return pad(ymd[0], 4) + "-" + pad(ymd[1], 2) + "-" + pad(ymd[2], 2); }
  function digitsAt(text, start, count) {
    var part = text.substr(start, count);
    return part.length === count && /^[0-9]+$/.test(part) ? Number(part) : null;
  }

  // [y, m, d] of a 10-character ASCII string fromisoformat accepts, else null. Like Python,
  // YYYYMMDD and YYYYWwwD read only their first 8 characters.
  function fromIso(text) {
    var year = digitsAt(text, 0, 4), p = 4, separated = text.charAt(4) === "-", month, day;
    if (year === null) { return null; }
    if (separated) { p++; }
    if (text.charAt(p) === "W") {
      var week = digitsAt(text, p + 1, 2);
      if (week === null) { return null; }
      p += 3;
      if (separated && text.charAt(p++) !== "-") { return null; }
      day = digitsAt(text, p, 1);
      if (day === null || year === 0) { return null; }
      var jan1 = daysFromCivil(year, 1, 1), weekday = ((jan1 + 3) % 7 + 7) % 7;  // 0 = Monday
      if (week <= 0 || week >= 53) {
        if (!(week === 53 && (weekday === 3 || (weekday === 2 && isLeap(year))))) { return null; }
      }
      if (day <= 0 || day >= 8) { return null; }
      var monday = jan1 - weekday + (weekday > 3 ? 7 : 0);
      var found = civilFromDays(monday + (week - 1) * 7 + day - 1);
      return found[0] >= 1 && found[0] <= 9999 ? found : null;
    }
    month = digitsAt(text, p, 2);
    if (month === null) { return null; }
    p += 2;
    if (separated && text.charAt(p++) !== "-") { return null; }
    day = digitsAt(text, p, 2);
    if (day === null || year < 1 || month < 1 || month > 12 || day < 1 || day > monthDays(year, month)) { return null; }
    return [year, month, day];
  }

  function dayNumber(isoText) { return daysFromCivil(+isoText.slice(0, 4), +isoText.slice(5, 7), +isoText.slice(8, 10)); }

  function cleanDate(question, text, today) {
    var ymd = length(text) === 10 && /^[\u0000-\u007f]*$/.test(text) ? fromIso(text) : null;
    if (ymd === null) { return fail("not_a_date"); }
    var value = iso(ymd);
    if (!question.allowFuture && value > today) { return fail("future_date"); }
    if (value < "1900-01-01") { return fail("below_min", { min: "1900-01-01" }); }
    var latest = iso(civilFromDays(dayNumber(today) + FUTURE_ANSWER_DAYS));
    if (value > latest) { return fail("above_max", { max: latest }); }
    return { value: value };
  }

  // --- times of day (cml.core.answers._clean_time) --------------------------------------

  function cleanTime(question, text) {
    var match = /^([0-9]{1,2}):([0-9]{2})$/.exec(text);
    if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) { return fail("not_a_time"); }
    var value = pad(Number(match[1]), 2) + ":" + match[2];
    if (question.earliest !== null && value < question.earliest) { return fail("below_min", { min: question.earliest }); }
    if (question.latest !== null && value > question.latest) { return fail("above_max", { max: question.latest }); }
    return { value: value };
  }

  // --- one answer ------------------------------------------------------------------------

  // One check per answer kind of cml/core/question_types (as SINGLE_ANSWER_CHECKS in answers.py).
  var CHECKS = {
    choice: function (question, text) {
      return question.choices.indexOf(text) >= 0 ? { value: text } : fail("not_a_choice", { value: head(text, 50) });
    },
    choices: function (question, text) { return cleanMultiple(question, [text]); },
    whole: cleanNumber,
    decimal: cleanNumber,
    date: cleanDate,
    time: cleanTime,
    text: function (question, text) {
      var size = length(text);
      return size > question.maxLength ? fail("too_long", { max: question.maxLength, length: size }) : { value: text };
    }
  };

  function cleanTyped(question, text, today) { return CHECKS[question.answer](question, text, today); }

  function isText(value) { return typeof value === "string"; }
  function filled(value) { return isText(value) && strip(value) !== ""; }

  function cleanMultiple(question, raw) {
    var items = isText(raw) ? [raw] : raw, chosen = [], i, item;
    for (i = 0; i < items.length; i++) {
      if (!filled(items[i])) { continue; }
      item = plainText(strip(items[i]));
      if (question.choices.indexOf(item) < 0) { return fail("not_a_choice", { value: head(item, 50) }); }
      if (chosen.indexOf(item) < 0) { chosen.push(item); }
    }
    if (!chosen.length) { return { value: null }; }
    chosen.sort(function (a, b) { return question.choices.indexOf(a) - question.choices.indexOf(b); });
    if (question.maxSelected !== null && chosen.length > question.maxSelected) { return fail("too_many_choices", { max: question.maxSelected }); }
    if (question.minSelected !== null && chosen.length < question.minSelected) { return fail("too_few_choices", { min: question.minSelected }); }
    return { value: chosen };
  }

  function cleanOne(question, raw, today) {
    if (question.answer === "choices") { return cleanMultiple(question, raw); }
    var text;
    if (isText(raw)) {
      text = strip(raw);
    } else {
      var values = raw.filter(filled);
      if (values.length > 1) { return fail("not_applicable_list"); }
      text = values.length ? strip(values[0]) : "";
    }
    return text ? cleanTyped(question, plainText(text), today) : { value: null };
  }

  // --- a questionnaire's plan ------------------------------------------------------------

  function choicesOf(definition, question) {
    var lists = definition.choice_lists || {}, spec = question.choices, source = kindOf(question).choices;
    if (source === "yes_no_dk") {
      spec = has(lists, "yes_no_dk") ? lists.yes_no_dk : null;
      if (spec === null) { return YES_NO_DK.map(function (id) { return { id: id }; }); }
    } else if (source !== "list") {
      return [];
    } else if (typeof spec === "string") {
      spec = get(lists, spec) || [];
    }
    return spec || [];
  }

  function choiceIds(definition, question) { return choicesOf(definition, question).map(function (choice) { return choice.id; }); }

  // A choice filter: choice id -> the earlier answers under which it is offered (null: always).
  function choiceFilters(definition, question) {
    if (!has(question, "choice_filter")) { return null; }
    var filters = {};
    choicesOf(definition, question).forEach(function (choice) {
      if (!own.call(filters, choice.id)) {
        filters[choice.id] = has(choice, "filter") ? [].concat(choice.filter) : null;
      }
    });
    return filters;
  }

  function kindOf(question) {
    if (!own.call(TYPES, question.type)) { throw new Error("unknown question type " + question.type); }
    return TYPES[question.type];
  }

  function numberOr(value) { return typeof value === "number" ? value : null; }
  function timeOr(value) { return typeof value === "string" ? value : null; }

  function planQuestion(definition, question, section, sectionIndex) {
    var kind = kindOf(question), rating = kind.choices === "scale", scale = question.scale || {}, time = kind.answer === "time";
    return {
      id: question.id,
      type: question.type,
      answer: kind.answer,
      choiceFilter: has(question, "choice_filter") ? question.choice_filter : null,
      filters: choiceFilters(definition, question),
      earliest: time ? timeOr(question.min) : null,
      latest: time ? timeOr(question.max) : null,
      section: sectionIndex,
      sectionIf: has(section, "show_if") ? section.show_if : null,
      showIf: has(question, "show_if") ? question.show_if : null,
      required: question.required === true,
      constraint: has(question, "constraint") ? question.constraint : null,
      choices: choiceIds(definition, question),
      minimum: rating ? (has(scale, "min") ? scale.min : 1) : time ? null : numberOr(question.min),
      maximum: rating ? (has(scale, "max") ? scale.max : 5) : time ? null : numberOr(question.max),
      minSelected: numberOr(question.min_selected),
      maxSelected: numberOr(question.max_selected),
      maxLength: has(question, "max_length") ? question.max_length : kind.max_length || 0,
      allowFuture: question.allow_future === true
    };
  }

  var plans = typeof WeakMap === "function" ? new WeakMap() : null;

  function planOf(definition) {
    var plan = plans && plans.get(definition);
    if (plan) { return plan; }
    plan = { steps: [], byId: {}, answering: {} };
    definition.sections.forEach(function (section, s) {
      section.questions.forEach(function (question) {
        var step = planQuestion(definition, question, section, s);
        plan.steps.push(step);
        if (!own.call(plan.byId, step.id)) { plan.byId[step.id] = step; }
        if (step.answer !== null) { plan.answering[step.id] = true; }
      });
    });
    if (plans) { plans.set(definition, plan); }
    return plan;
  }

  // --- the API ---------------------------------------------------------------------------

  function shows(step, answers) {
    return (step.sectionIf === null || evaluate(step.sectionIf, answers)) && (step.showIf === null || evaluate(step.showIf, answers));
  }

  /** Typed answers, errors and unknown keys for raw form strings, as clean_answers gives them.
   * `earlier` (optional) seeds answers already known, e.g. from earlier pages. */
  function clean(definition, raw, today, earlier) {
    var plan = planOf(definition), answers = {}, errors = {}, running = answers, i, key;
    if (earlier) {
      running = {};
      for (key in earlier) { if (own.call(earlier, key)) { running[key] = earlier[key]; } }
    }
    for (i = 0; i < plan.steps.length; i++) {
      var step = plan.steps[i];
      if (step.answer === null || !shows(step, running)) { continue; }  // a note takes no answer
      var given = get(raw, step.id);
      var result = isText(given) ? (given ? cleanOne(step, given, today) : { value: null })
        : isArray(given) && given.length ? cleanOne(step, given, today) : { value: null };
      var error = result.error || null;
      if (!error && result.value !== null && !offered(step, result.value, running)) {
        error = fail("not_a_choice", { value: head(String(result.value), 50) }).error;
      }
      if (!error && result.value === null && step.required) { error = { code: "required", params: {}, message: null }; }
      if (!error && result.value !== null) {
        answers[step.id] = running[step.id] = result.value;
        if (step.constraint !== null && !evaluate(step.constraint.condition, running)) {
          error = { code: "constraint", params: {}, message: step.constraint.message };
          delete answers[step.id];
          delete running[step.id];
        }
      }
      if (error) { errors[step.id] = error; }
    }
    var unknown = Object.keys(raw || {}).filter(function (k) { return !own.call(plan.answering, k); }).sort(compareText);
    return { answers: answers, errors: errors, unknown: unknown };
  }

  // Whether a choice is offered under the question's choice filter, given the earlier answers.
  function offered(step, value, answers) {
    if (step.filters === null) { return true; }
    var only = own.call(step.filters, value) ? step.filters[value] : null;
    return only === null || (own.call(answers, step.choiceFilter) && only.indexOf(answers[step.choiceFilter]) >= 0);
  }

  /** The choices of a question offered given the answers so far (all of them without a choice filter). */
  function offeredChoices(definition, question, answers) {
    var step = get(planOf(definition).byId, question.id);
    return choicesOf(definition, question).filter(function (choice) { return !step || offered(step, choice.id, answers); });
  }

  function sectionApplies(definition, sectionIndex, answers) {
    var section = definition.sections[sectionIndex];
    return !has(section, "show_if") || evaluate(section.show_if, answers);
  }

  function applies(definition, questionId, answers) {
    var step = get(planOf(definition).byId, questionId);
    return step !== undefined && shows(step, answers);
  }

  function shownSections(definition, raw, today) {
    var answers = clean(definition, raw, today).answers, shown = [];
    definition.sections.forEach(function (section, s) {
      if (sectionApplies(definition, s, answers)) { shown.push(s + 1); }
    });
    return shown;
  }

  function text(definition, value, language) {
    if (value === null || value === undefined) { return ""; }
    var fallback = definition.default_language || definition.languages[0];
    if (get(value, language)) { return value[language]; }
    if (get(value, fallback)) { return value[fallback]; }
    var keys = Object.keys(value);
    return keys.length ? value[keys[0]] : "";
  }

  var api = {
    clean: clean,
    applies: applies,
    sectionApplies: sectionApplies,
    shownSections: shownSections,
    text: text,
    evaluate: evaluate,
    isAnswered: isAnswered,
    offeredChoices: offeredChoices,
    types: TYPES,
    answerKinds: Object.keys(CHECKS)
  };
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.CMLQuestionnaire = api; }
})(typeof self !== "undefined" ? self : this);
