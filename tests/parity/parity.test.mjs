// Holds cml/static/offline/questionnaire.js to the parity corpus (tests/parity/cases/*.json),
// whose expected results are what the Python (cml.core.answers) gives. Node only, no packages:
//   node tests/parity/parity.test.mjs [--show N] [--cases DIR]
// Exits 1 and prints the first differences when the JavaScript and the corpus disagree.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const engine = createRequire(import.meta.url)(join(root, "cml", "static", "offline", "questionnaire.js"));
function option(name) { const at = process.argv.indexOf(name); return at > 0 ? process.argv[at + 1] : undefined; }
const show = Number(option("--show")) || 5;
const cases = option("--cases") || join(here, "cases");

// Numbers compare as numbers (Python's 15.0 is JavaScript's 15); everything else exactly.
function differences(expected, actual, path, found) {
  if (typeof expected === "number" && typeof actual === "number") {
    if (expected !== actual) { found.push(`${path}: expected ${expected}, got ${actual}`); }
    return found;
  }
  if (expected === null || actual === null || typeof expected !== "object" || typeof actual !== "object") {
    if (expected !== actual) { found.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`); }
    return found;
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) {
    found.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return found;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    const where = Array.isArray(expected) ? `${path}[${key}]` : `${path}.${key}`;
    if (!Object.hasOwn(actual, key)) { found.push(`${where}: missing (expected ${JSON.stringify(expected[key])})`); continue; }
    if (!Object.hasOwn(expected, key)) { found.push(`${where}: unexpected ${JSON.stringify(actual[key])}`); continue; }
    differences(expected[key], actual[key], where, found);
  }
  return found;
}

function rawOf(raw, path) {
  const id = path.split(".")[1]?.split("[")[0];
  return id && Object.hasOwn(raw, id) ? ` (raw ${id} = ${JSON.stringify(raw[id])})` : "";
}

let total = 0;
const failures = [];

// Every answer kind of the type registry (cml/core/question_types, as question_types.js) has a check here.
const kinds = new Set(Object.values(engine.types).map((type) => type.answer).filter((answer) => answer !== null));
const unchecked = [...kinds].filter((kind) => !engine.answerKinds.includes(kind));
if (unchecked.length) {
  console.log(`questionnaire.js has no check for the answer kind(s) ${unchecked.join(", ")} of cml/core/question_types`);
  process.exit(1);
}

function only(object, ids) { return Object.fromEntries(Object.entries(object).filter(([k]) => ids.has(k))); }

// A form page's rules alone (cml.collect.pages.page_definition_json), seeded with the answers
// of earlier pages, clean that page's answers as the whole questionnaire does: what the
// server-rendered page's live skip logic relies on.
function checkPages(pages, c, where) {
  const before = new Set();
  pages.forEach((page, index) => {
    const ids = new Set(page.sections[0].questions.map((q) => q.id));
    if (c.expected.shown_sections.includes(index + 1)) {
      const actual = engine.clean(page, only(c.raw, ids), c.today, only(c.expected.answers, before));
      const codes = (errors) => Object.fromEntries(Object.entries(errors).map(([k, e]) => [k, [e.code, e.params]]));
      const found = differences({ answers: only(c.expected.answers, ids), errors: codes(only(c.expected.errors, ids)) },
        JSON.parse(JSON.stringify({ answers: actual.answers, errors: codes(actual.errors) })), `.page${index + 1}`, []);
      if (found.length) { failures.push({ where, lines: found }); }
    }
    ids.forEach((id) => before.add(id));
  });
}
for (const file of readdirSync(cases).filter((f) => f.endsWith(".json")).sort()) {
  const corpus = JSON.parse(readFileSync(join(cases, file), "utf8"));
  const definition = JSON.parse(readFileSync(join(root, corpus.definition), "utf8"));
  if (corpus.pages) {
    corpus.cases.forEach((c, index) => { total += 1; checkPages(corpus.pages, c, `${file} #${index} (${c.note}, today ${c.today})`); });
    continue;
  }
  corpus.cases.forEach((c, index) => {
    total += 1;
    let actual;
    try {
      const cleaned = engine.clean(definition, c.raw, c.today);
      actual = { ...cleaned, shown_sections: engine.shownSections(definition, c.raw, c.today) };
    } catch (error) {
      failures.push({ where: `${file} #${index} (${c.note})`, lines: [`threw ${error.stack}`] });
      return;
    }
    const found = differences(c.expected, JSON.parse(JSON.stringify(actual)), "", []);
    if (found.length) {
      failures.push({ where: `${file} #${index} (${c.note}, today ${c.today})`, lines: found.map((line) => line + rawOf(c.raw, line)) });
    }
  });
}

for (const failure of failures.slice(0, show)) {
  console.log(`✗ ${failure.where}`);
  for (const line of failure.lines.slice(0, 6)) { console.log(`    ${line}`); }
}
if (failures.length) {
  console.log(`parity: ${failures.length} of ${total} cases differ between questionnaire.js and the corpus (Python).`);
  process.exit(1);
}
console.log(`parity: all ${total} cases agree`);
