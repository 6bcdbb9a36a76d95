"""Prints cml/static/offline/question_types.js: `python -m cml.core.question_types > cml/static/offline/question_types.js`."""

from cml.core.question_types import offline_script

if __name__ == "__main__":  # not when a package walk imports it
    print(offline_script(), end="")
