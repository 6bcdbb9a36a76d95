"""An R script that reads a raw export's CSV with labels, in base R only (it runs on any R, with no packages).

It makes a data frame `cml`: single choices as factors whose levels are the choice labels,
one 0/1 column per choice of a multiple choice (missing when the question was not
answered), numbers, dates and times as such, and each column's label in its "label"
attribute (RStudio shows it). It reads either CSV the export offers (commas, or semicolons
and decimal commas), answers as codes or as words, multiple choice in one column or one
column per choice. Labels are written as \\u escapes, so the script reads the same in any
locale; a comment shows each label as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from cml.core.labelled import Variable

_PRELUDE = r'''args <- commandArgs(trailingOnly = TRUE)
csv_file <- if (length(args) > 0) args[1] else {csv_name}

first_line <- readLines(csv_file, n = 1L, encoding = "UTF-8", warn = FALSE)
sep <- if (grepl(";", first_line, fixed = TRUE) && !grepl(",", first_line, fixed = TRUE)) ";" else ","
raw <- read.csv(csv_file, sep = sep, colClasses = "character", na.strings = "", check.names = FALSE,
                fileEncoding = "UTF-8-BOM", encoding = "UTF-8")

column <- function(name) if (name %in% names(raw)) raw[[name]] else rep(NA_character_, nrow(raw))
as_number <- function(x) suppressWarnings(as.numeric(sub(",", ".", x, fixed = TRUE)))
as_day <- function(x) as.Date(x, format = "%Y-%m-%d")
as_moment <- function(x) as.POSIXct(substr(x, 1L, 19L), format = "%Y-%m-%dT%H:%M:%S", tz = "UTC")
as_choice <- function(x, ids, labels) {{
  # Codes (choice ids) or words (labels): either becomes a factor of the labels; an unknown value its own level.
  seen <- unique(x[!is.na(x)])
  if (all(seen %in% labels) && !all(seen %in% ids)) x <- ids[match(x, labels)]
  extra <- setdiff(seen[!(seen %in% ids)], labels)
  factor(x, levels = c(ids, extra), labels = c(labels, extra))
}}
as_flag <- function(question, id, label) {{
  # One column per choice (1 chosen, 0 not), or one column of them all ("a|b", or "A; B" as words).
  split <- paste0(question, "/", id)
  if (split %in% names(raw)) return(as.integer(as_number(raw[[split]])))
  x <- column(question)
  chosen <- vapply(strsplit(ifelse(is.na(x), "", x), "\\||; ", perl = TRUE), function(p) id %in% p || label %in% p, logical(1))
  ifelse(is.na(x), NA_integer_, as.integer(chosen))
}}
labelled <- function(x, label) {{ attr(x, "label") <- label; x }}

cml <- data.frame(row.names = seq_len(nrow(raw)))
'''


def r_string(text: str) -> str:
    """`text` as an R string literal of ASCII only: anything else as \\u escapes (R reads them in any locale)."""
    out = ['"']
    for character in text:
        code = ord(character)
        if character in '"\\':
            out.append("\\" + character)
        elif 32 <= code < 127:
            out.append(character)
        elif code == 0:
            continue  # NUL cannot be in an R string
        elif 0xD800 <= code < 0xE000:
            out.append("\\ufffd")  # a lone surrogate is no character
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{{{code:08x}}}")
    out.append('"')
    return "".join(out)


def _r_vector(texts: Sequence[str]) -> str:
    return "c(" + ", ".join(map(r_string, texts)) + ")"


def _comment(text: str) -> str:
    """A label as a comment: one line, shown as text (only a reader's help: the code has the escapes)."""
    return " ".join(text.split())[:120]


def r_script(variables: Sequence[Variable], csv_name: str, header: Sequence[str]) -> str:
    """The script for these variables; `csv_name` is the file it reads when given none; `header`: comment lines on top."""
    lines = [f"# {_comment(line)}" for line in header]
    lines.append(_PRELUDE.format(csv_name=r_string(csv_name)))
    for variable in variables:
        target = f"cml${variable.name}"
        source = f"column({r_string(variable.column)})"
        if variable.kind == "code":
            ids, labels = zip(*variable.choices, strict=True) if variable.choices else ((), ())
            value = f"as_choice({source}, {_r_vector(ids)}, {_r_vector(labels)})"
        elif variable.kind == "flag":
            question = variable.column.split("/", 1)[0]
            choice_id, choice_label = variable.choices[0]
            value = f"as_flag({r_string(question)}, {r_string(choice_id)}, {r_string(choice_label)})"
        elif variable.kind in ("whole", "number"):
            value = f"as_number({source})"
        elif variable.kind == "date":
            value = f"as_day({source})"
        elif variable.kind == "moment":
            value = f"as_moment({source})"
        else:
            value = source
        lines.append(f"{target} <- labelled({value}, {r_string(variable.label)})  # {_comment(variable.label)}")
    lines.append("rm(raw, first_line, sep)")
    return "\n".join(lines) + "\n"
