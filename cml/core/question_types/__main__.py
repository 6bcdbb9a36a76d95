"""Prints cml/static/offline/question_types.js: `python -m cml.core.question_types > cml/static/offline/question_types.js`."""

from cml.core.question_types import offline_script

print(offline_script(), end="")
