// Generated from cml/core/question_types by `python -m cml.core.question_types > cml/static/offline/question_types.js`;
// do not edit (tests/core/test_question_types.py fails when it is stale). What questionnaire.js and form.js know of each type.
(function (root) {
  "use strict";
  var types = {
    "single_choice": {"answer": "choice", "choices": "list", "free_text": false, "max_length": null, "operators": ["answered", "equals", "in"], "widget": "radio"},
    "multiple_choice": {"answer": "choices", "choices": "list", "free_text": false, "max_length": null, "operators": ["answered", "in", "includes"], "widget": "checkboxes"},
    "yes_no_dk": {"answer": "choice", "choices": "yes_no_dk", "free_text": false, "max_length": null, "operators": ["answered", "equals", "in"], "widget": "radio"},
    "integer": {"answer": "whole", "choices": null, "free_text": false, "max_length": null, "operators": ["answered", "at_least", "at_most", "equals", "in"], "widget": "number"},
    "decimal": {"answer": "decimal", "choices": null, "free_text": false, "max_length": null, "operators": ["answered", "at_least", "at_most", "equals", "in"], "widget": "number"},
    "rating": {"answer": "whole", "choices": "scale", "free_text": false, "max_length": null, "operators": ["answered", "at_least", "at_most", "equals", "in"], "widget": "scale"},
    "date": {"answer": "date", "choices": null, "free_text": false, "max_length": null, "operators": ["answered", "at_least", "at_most", "equals", "in"], "widget": "date"},
    "time": {"answer": "time", "choices": null, "free_text": false, "max_length": null, "operators": ["answered", "at_least", "at_most", "equals", "in"], "widget": "time"},
    "text": {"answer": "text", "choices": null, "free_text": true, "max_length": 500, "operators": ["answered", "equals", "in"], "widget": "line"},
    "long_text": {"answer": "text", "choices": null, "free_text": true, "max_length": 4000, "operators": ["answered", "equals", "in"], "widget": "box"},
    "note": {"answer": null, "choices": null, "free_text": false, "max_length": null, "operators": [], "widget": "note"}
  };
  if (typeof module === "object" && module.exports) { module.exports = types; } else { root.CMLQuestionTypes = types; }
})(typeof self !== "undefined" ? self : this);
