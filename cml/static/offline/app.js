// The offline collecting app: PIN, list of interviews, start, pages, review, sending.
// Every answer is saved (encrypted) as it is given; nothing leaves the phone before a receipt.
(function (root) {
  "use strict";
  var Vault = root.CMLVault, Sync = root.CMLSync, Form = root.CMLForm, Q = root.CMLQuestionnaire, el = Form.el;
  var main = document.getElementById("app"), screen = document.getElementById("screen"), statusLine = document.getElementById("status");
  var API = main.getAttribute("data-api"), LOGIN = main.getAttribute("data-login");
  var STRINGS = JSON.parse(document.getElementById("app-strings").textContent);
  var LANG_KEY = "cml-offline-language", MIN_PIN = 6;
  var app = {lang: pickLanguage(localStorage.getItem(LANG_KEY) || document.documentElement.lang), userId: null, username: null,
    signedOut: false, otherUser: false, setup: null, interview: null, draw: null, lockAfter: 5 * 60 * 1000, lastActive: Date.now(), saving: Promise.resolve()};

  function pickLanguage(code) { return STRINGS[code] ? code : "en"; }

  function t(key, params) {
    var template = (STRINGS[app.lang] || STRINGS.en)[key] || STRINGS.en[key] || key;
    return template.replace(/%\((\w+)\)s/g, function (whole, name) { return params && name in params ? String(params[name]) : whole; });
  }

  function today() {
    var now = new Date();
    return [now.getFullYear(), ("0" + (now.getMonth() + 1)).slice(-2), ("0" + now.getDate()).slice(-2)].join("-");
  }

  function label(value) { return value ? value[app.lang] || value.en || Object.keys(value).map(function (k) { return value[k]; })[0] || "" : ""; }

  function say(message) { statusLine.textContent = message || ""; }

  function show(title, children, draw) {
    app.draw = draw;
    screen.textContent = "";
    var heading = el("h1", {tabindex: "-1", text: title});
    screen.appendChild(heading);
    children.forEach(function (child) { if (child) { screen.appendChild(child); } });
    document.title = title + " · CML";
    heading.focus();
  }

  function button(text, attributes, onClick) {
    var node = el("button", Object.assign({type: "button"}, attributes || {}), [document.createTextNode(text)]);
    node.addEventListener("click", onClick);
    return node;
  }

  function field(id, text, input, hint) {
    return el("div", {"class": "field"}, [el("label", {"for": id, text: text}), hint ? el("p", {"class": "hint", id: id + "-hint", text: hint}) : null, input]);
  }

  function banners() {
    var notes = [];
    if (!navigator.onLine) { notes.push(el("p", {"class": "flash", text: t("offline")})); }
    if (app.signedOut) { notes.push(el("p", {"class": "flash error"}, [document.createTextNode(t("signed_out") + " "), el("a", {href: LOGIN, text: t("signin")})])); }
    if (app.otherUser) { notes.push(el("p", {"class": "flash error", text: t("other_user")})); }
    return el("div", {"class": "banners"}, notes);
  }

  // --- PIN ------------------------------------------------------------------------------
  function signInScreen() {
    show(t("title"), [banners(), el("p", {text: t("signin_needed")}), el("p", {}, [el("a", {"class": "button primary", href: LOGIN, text: t("signin")})])], signInScreen);
  }

  function pinForm(submitText, inputs, onSubmit) {
    var error = el("p", {"class": "error", role: "alert", hidden: true});
    var form = el("form", {"class": "card narrow", novalidate: true}, inputs.concat([error, el("div", {"class": "buttons"}, [el("button", {"class": "primary", type: "submit", text: submitText})])]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      say(t("working"));
      onSubmit(function (message) {
        error.hidden = !message;
        error.textContent = message || "";
        submit.disabled = false;
        say("");
      });
    });
    return form;
  }

  function pinInput(id, describedBy) {
    return el("input", {type: "password", id: id, name: id, autocomplete: "off", inputmode: "numeric", minlength: MIN_PIN, required: true, "aria-describedby": describedBy || null});
  }

  function setPinScreen() {
    var first = pinInput("pin", "pin-hint"), second = pinInput("pin-again");
    var form = pinForm(t("save_pin"), [field("pin", t("pin"), first, t("pin_rules")), field("pin-again", t("pin_again"), second)], function (done) {
      if (first.value.length < MIN_PIN) { return done(t("pin_short")); }
      if (first.value !== second.value) { return done(t("pin_mismatch")); }
      Vault.create(app.userId, app.username, first.value).then(function () { done(); return unlocked(); });
    });
    show(t("set_pin_title"), [banners(), el("p", {text: t("set_pin_help")}), form], setPinScreen);
  }

  function unlockScreen(note) {
    var pin = pinInput("pin");
    var form = pinForm(t("unlock"), [field("pin", t("pin"), pin)], function (done) {
      Vault.unlock(app.userId, pin.value).then(function (ok) {
        if (!ok) { pin.value = ""; return done(t("wrong_pin")); }
        done();
        return unlocked();
      });
    });
    show(t("unlock_title"), [banners(), note ? el("p", {"class": "flash", text: note}) : null, el("p", {text: t("unlock_help", {name: app.username || ""})}), form],
      function () { unlockScreen(note); });
  }

  function lockNow(note) {
    Sync.stop();
    Vault.lock();
    app.interview = null; app.setup = null;
    say("");
    unlockScreen(note);
  }

  function unlocked() {
    app.lastActive = Date.now();
    return Vault.setup().then(function (kept) {
      app.setup = kept ? kept.setup : null;
      home();
      if (navigator.onLine && !app.signedOut) { sendNow(); }
    });
  }

  // --- the list ---------------------------------------------------------------------------
  function describe(interview) {
    var place = interview.place || {};
    return [label(interview.title), place.region ? label(place.label) + " · " + label(place.region) : label(place.label), interview.interview_date].filter(Boolean).join(" · ");
  }

  /** A time of receipt as every page shows it: in the organisation's time zone, which is named. */
  function receivedAt(iso) {
    var zone = app.setup && app.setup.time_zone, options = {dateStyle: "medium", timeStyle: "short"};
    if (!zone) { return new Date(iso).toLocaleString(app.lang, options); }
    options.timeZone = zone.name;
    return t("zoned_time", {time: new Date(iso).toLocaleString(app.lang, options), zone: zone.label[app.lang] || zone.name});
  }

  function item(interview) {
    var parts = [el("span", {"class": "what", text: describe(interview)})];
    if (interview.status === "sent") {
      var receipt = interview.receipt || {};
      // A purged interview's resend is acknowledged without a time of receipt: it was not stored again.
      parts.push(el("span", {"class": "hint", text: receipt.received_at ? t("received", {time: receivedAt(receipt.received_at)}) : t("withdrawn")}),
                 el("code", {"class": "hint", text: t("receipt_id", {id: receipt.submission_id || interview.id})}));
    }
    // A conflict in the app's own words (the phone may be offline when it is read); other refusals as the server put them.
    if (interview.status === "conflict") { parts.push(el("p", {"class": "error", text: t("conflict")})); } else if (interview.message && interview.status !== "sent") { parts.push(el("p", {"class": "error", text: interview.message})); }
    if (interview.status === "unfinished") { parts.push(button(t("continue"), {"class": "primary"}, function () { resume(interview.id); })); }
    return el("li", {"data-id": interview.id, "data-status": interview.status}, parts);
  }

  function group(title, name, interviews) {
    return el("section", {"class": "card", "data-group": name}, [el("h2", {text: title + " (" + interviews.length + ")"}),
      interviews.length ? el("ul", {"class": "interviews"}, interviews.map(item)) : el("p", {"class": "hint", text: t("none")})]);
  }

  function home() {
    app.interview = null;
    return Vault.list().then(function (all) {
      var by = function (status) { return all.filter(function (i) { return status.indexOf(i.status) >= 0; }).sort(function (a, b) { return (b.updated_at || "").localeCompare(a.updated_at || ""); }); };
      var actions = el("div", {"class": "buttons"}, [
        button(t("new_interview"), {"class": "primary", id: "new-interview", disabled: !app.setup}, startScreen),
        button(t("send_now"), {id: "send-now"}, sendNow),
        button(t("lock"), {id: "lock-now"}, function () { lockNow(); })]);
      show(t("title"), [banners(), app.setup ? null : el("p", {"class": "flash", text: t("no_setup")}), actions,
        by(["conflict", "refused"]).length ? group(t("attention"), "attention", by(["conflict", "refused"])) : null,
        group(t("unfinished"), "unfinished", by(["unfinished"])), group(t("waiting"), "waiting", by(["waiting"])), group(t("sent"), "sent", by(["sent"]))], home);
    });
  }

  // --- starting an interview ------------------------------------------------------------
  function places(entry) {
    var regions = {};
    (app.setup.places.regions || []).forEach(function (r) { regions[r.id] = r; });
    if (entry.subject === "facility") {
      return (app.setup.places.facilities || []).map(function (f) {
        return {value: f.id, place: {label: f.label, region: (regions[f.region_id] || {}).label || null}};
      });
    }
    return (app.setup.places.regions || []).map(function (r) { return {value: r.stand_in, place: {label: r.label, region: null}}; });
  }

  function select(id, options) {
    var node = el("select", {id: id, name: id}, [el("option", {value: "", text: t("choose")})]);
    options.forEach(function (o) { node.appendChild(el("option", {value: String(o.value), text: o.text})); });
    return node;
  }

  function startScreen() {
    say("");
    var entries = app.setup.questionnaires;
    var which = select("questionnaire", entries.map(function (q, i) { return {value: i, text: label(q.title)}; }));
    var where = el("select", {id: "place", name: "place"});
    var placeLabel = el("label", {"for": "place", text: t("facility")});
    var day = el("input", {type: "date", id: "interview_date", name: "interview_date", max: today()});
    day.value = today();
    var error = el("p", {"class": "error", role: "alert", hidden: true});
    var options = [];
    function fill() {
      var entry = entries[Number(which.value)];
      where.textContent = "";
      where.appendChild(el("option", {value: "", text: t("choose")}));
      options = entry ? places(entry) : [];
      placeLabel.textContent = entry && entry.subject !== "facility" ? t("region") : t("facility");
      options.forEach(function (o, i) { where.appendChild(el("option", {value: String(i), text: o.place.region ? label(o.place.label) + " · " + label(o.place.region) : label(o.place.label)})); });
    }
    if (entries.length === 1) { which.value = "0"; }
    fill();
    which.addEventListener("change", fill);
    var form = el("form", {"class": "card narrow", novalidate: true}, [field("questionnaire", t("questionnaire"), which),
      el("div", {"class": "field"}, [placeLabel, where]), field("interview_date", t("interview_date"), day), error,
      el("div", {"class": "buttons nav"}, [el("button", {"class": "primary", type: "submit", text: t("begin")}), button(t("back"), {}, home)])]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var entry = entries[Number(which.value)], chosen = options[Number(where.value)];
      var problem = !which.value || !entry ? t("choose_questionnaire") : !where.value || !chosen ? t(entry.subject === "facility" ? "choose_facility" : "choose_region")
        : !/^\d{4}-\d{2}-\d{2}$/.test(day.value) ? t("date_bad") : day.value > today() ? t("date_future") : null;
      error.hidden = !problem;
      error.textContent = problem || "";
      if (problem) { return; }
      var now = new Date().toISOString();
      // The submission id is fixed here, so a resend is always known as the same interview.
      var interview = {id: crypto.randomUUID(), questionnaire: entry.code, version: entry.version, title: entry.title, subject: entry.subject,
        definition: entry.definition, facility: chosen.value, place: chosen.place, interview_date: day.value, answers: {}, status: "unfinished",
        started_at: now, updated_at: now};
      Vault.save(interview).then(function () { openPage(interview, shownSections(interview)[0]); });
    });
    show(t("new_interview"), [form, el("p", {"class": "hint", text: t("no_names")})], startScreen);
  }

  // --- pages ----------------------------------------------------------------------------
  function shownSections(interview) { return Q.shownSections(interview.definition, interview.answers, today()); }

  function resume(id) {
    Vault.get(id).then(function (interview) {
      if (!interview) { return home(); }
      if (interview.server_errors && interview.server_errors.length) { return review(interview); }
      var shown = shownSections(interview);
      openPage(interview, shown.indexOf(interview.page) >= 0 ? interview.page : shown[0]);
    });
  }

  function save(interview) {
    interview.updated_at = new Date().toISOString();
    // One write after another, in the order the answers were given.
    app.saving = app.saving.then(function () { return Vault.save(interview); }).catch(function () { say(t("working")); });
    return app.saving;
  }

  function message(definition, error) {
    if (error.code === "constraint" && error.message) { return Form.text(definition, error.message, app.lang); }
    var messages = (app.setup && app.setup.messages) || {};
    var words = messages[app.lang] || messages.en || {}, template = words[error.code] || words.unknown;
    if (!template) { return error.message ? Form.text(definition, error.message, app.lang) : error.code; }
    var params = error.params || {};
    // "Choose at most 3 options": Ukrainian and Russian word 2-4 and 5+ differently; the setup has a
    // template per plural category, and the browser knows which category a number takes.
    var forms = (((app.setup && app.setup.plurals) || {})[app.lang] || {})[error.code];
    var count = error.code === "too_many_choices" ? params.max : params.min;
    if (forms && typeof Intl === "object" && Intl.PluralRules) {
      template = forms[new Intl.PluralRules(app.lang).select(Number(count))] || forms.other || template;
    }
    return template.replace(/%\((\w+)\)[sd]/g, function (whole, name) { return name in params ? String(params[name]) : whole; });
  }

  function sectionErrors(interview, index) {
    var cleaned = Q.clean(interview.definition, interview.answers, today()), errors = {};
    interview.definition.sections[index].questions.forEach(function (q) {
      if (cleaned.errors[q.id]) { errors[q.id] = message(interview.definition, cleaned.errors[q.id]); }
    });
    return errors;
  }

  function openPage(interview, number, errors) {
    var definition = interview.definition, index = number - 1, section = definition.sections[index], shown = shownSections(interview);
    interview.page = number;
    app.interview = interview;
    say("");
    errors = errors || {};
    var fields = el("div", {"class": "fields"});
    Form.drawSection(fields, definition, index, interview.answers, app.lang, STRINGS[app.lang] || STRINGS.en, errors);
    Form.showApplying(fields, definition, index, interview.answers, today());
    var form = el("form", {"class": "card", novalidate: true}, [fields, el("div", {"class": "buttons nav"}, [
      el("button", {"class": "primary", type: "submit", value: "next", text: t("next")}), button(t("back"), {value: "back"}, function () {
        keep();
        var earlier = shown.filter(function (n) { return n < number; });
        return earlier.length ? openPage(interview, earlier[earlier.length - 1]) : home();
      })])]);
    function keep() {
      var raw = Form.readSection(fields, definition, index);
      section.questions.forEach(function (q) { if (q.id in raw) { interview.answers[q.id] = raw[q.id]; } else { delete interview.answers[q.id]; } });
      return save(interview);
    }
    form.addEventListener("input", function () { keep(); Form.showApplying(fields, definition, index, interview.answers, today()); });
    form.addEventListener("change", function () { keep(); Form.showApplying(fields, definition, index, interview.answers, today()); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keep();
      var problems = sectionErrors(interview, index);
      if (Object.keys(problems).length) {
        openPage(interview, number, problems);
        var first = screen.querySelector(".has-error input, .has-error textarea");
        if (first) { first.focus(); }
        return;
      }
      var later = shownSections(interview).filter(function (n) { return n > number; });
      return later.length ? openPage(interview, later[0]) : review(interview);
    });
    save(interview);
    show(Form.text(definition, section.title, app.lang), [
      el("p", {"class": "progress", text: Form.text(definition, definition.title, app.lang) + " · " + t("page_of", {n: shown.indexOf(number) + 1, total: shown.length})}),
      Object.keys(errors).length ? el("p", {"class": "flash error", role: "alert", text: t("correct_below")}) : null, form,
      el("p", {"class": "hint", text: t("saved")})], function () { openPage(interview, number, errors); });
  }

  // --- review and finish ------------------------------------------------------------------
  function review(interview) {
    app.interview = interview;
    var definition = interview.definition, cleaned = Q.clean(definition, interview.answers, today()), blocks = [];
    var serverErrors = interview.server_errors || [];
    if (serverErrors.length) {
      blocks.push(el("div", {"class": "flash error", role: "alert"}, [el("p", {text: interview.message || t("invalid")}),
        el("ul", {}, serverErrors.map(function (e) { return el("li", {}, [el("span", {text: e.label || e.question}), el("br"), document.createTextNode(e.message)]); }))]));
    }
    Q.shownSections(definition, interview.answers, today()).forEach(function (number) {
      var section = definition.sections[number - 1], rows = [];
      section.questions.forEach(function (q) {
        if (!(q.id in cleaned.answers) && !(q.id in cleaned.errors)) { return; }
        rows.push(el("dt", {text: Form.text(definition, q.label, app.lang)}));
        rows.push(cleaned.errors[q.id] ? el("dd", {"class": "error", text: message(definition, cleaned.errors[q.id])}) : el("dd", {text: Form.shown(definition, q, cleaned.answers[q.id], app.lang)}));
      });
      blocks.push(el("section", {"class": "card"}, [el("h2", {}, [document.createTextNode(Form.text(definition, section.title, app.lang) + " "),
        button(t("change"), {"class": "link edit"}, function () { openPage(interview, number); })]), el("dl", {"class": "answers"}, rows)]));
    });
    var ok = Object.keys(cleaned.errors).length === 0;
    var finish = button(t("finish"), {"class": "primary", id: "finish", disabled: !ok}, function () {
      interview.status = "waiting";
      interview.finished_at = new Date().toISOString();
      interview.server_errors = [];
      interview.message = "";
      save(interview).then(function () {
        say(t("finished"));
        return home();
      }).then(function () { if (navigator.onLine) { sendNow(); } });
    });
    show(t("review"), [el("p", {"class": "progress", text: describe(interview)})].concat(blocks, [ok ? null : el("p", {"class": "flash error", text: t("correct_below")}),
      el("div", {"class": "buttons nav"}, [finish, button(t("back"), {}, function () { var s = shownSections(interview); openPage(interview, s[s.length - 1]); })])]),
      function () { review(interview); });
  }

  // --- sending --------------------------------------------------------------------------
  function sendNow() {
    if (!Vault.unlocked()) { return Promise.resolve(); }
    say(t("sending"));
    return app.saving.then(function () { return Sync.syncNow(API, reported); });
  }

  function reported(outcome) {
    app.signedOut = outcome.signedOut;
    app.otherUser = outcome.otherUser;
    if (outcome.forbidden) { say(t("forbidden")); } else if (outcome.failed) { say(t("retry", {seconds: outcome.retryIn})); } else if (!outcome.signedOut && !outcome.otherUser && !outcome.problems) { say(t("all_sent")); } else { say(""); }
    Vault.setup().then(function (kept) {
      if (kept) { app.setup = kept.setup; }
      if (!app.interview && Vault.unlocked()) { home(); }
    }).catch(function () { return null; });
  }

  // --- start-up ---------------------------------------------------------------------------
  function setLanguage(code) {
    app.lang = pickLanguage(code);
    document.documentElement.lang = app.lang;
    document.querySelectorAll("#languages button").forEach(function (b) {
      var current = b.getAttribute("data-lang") === app.lang;
      b.classList.toggle("current", current);
      if (current) { b.setAttribute("aria-current", "true"); } else { b.removeAttribute("aria-current"); }
    });
    document.getElementById("languages").setAttribute("aria-label", t("language"));
  }

  function boot() {
    setLanguage(app.lang);
    document.querySelectorAll("#languages button").forEach(function (b) {
      b.addEventListener("click", function () {
        setLanguage(b.getAttribute("data-lang"));
        localStorage.setItem(LANG_KEY, app.lang);
        if (app.draw) { app.draw(); }
      });
    });
    say(t("loading"));
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(main.getAttribute("data-sw"), {scope: main.getAttribute("data-scope")}).catch(function () { return null; });
    }
    ["pointerdown", "keydown", "input"].forEach(function (name) { document.addEventListener(name, function () { app.lastActive = Date.now(); }, true); });
    setInterval(function () {
      if (Vault.unlocked() && Date.now() - app.lastActive > app.lockAfter) { lockNow(t("locked_idle", {minutes: Math.round(app.lockAfter / 60000)})); }
    }, 5000);
    window.addEventListener("online", function () { if (Vault.unlocked()) { sendNow(); } else if (app.draw) { app.draw(); } });
    window.addEventListener("offline", function () { if (app.draw && !app.interview) { app.draw(); } });
    return Sync.session(API).then(function (found) {
      if (found.status === "ok") {
        app.userId = found.session.user_id;
        app.username = found.session.username;
        if (!localStorage.getItem(LANG_KEY) && found.session.language) { setLanguage(found.session.language); }
        return Vault.setLastUser(app.userId).then(function () { return Vault.profile(app.userId); }).then(function (profile) {
          say("");
          return profile ? unlockScreen() : setPinScreen();
        });
      }
      app.signedOut = found.status === "signed_out";
      // Signed out or offline: the last user of this phone may still unlock and work; sending waits for a sign-in.
      return Vault.lastUser().then(function (last) { return last === undefined ? null : Vault.profile(last); }).then(function (profile) {
        say("");
        if (!profile) { return signInScreen(); }
        app.userId = profile.user_id;
        app.username = profile.username;
        return unlockScreen();
      });
    });
  }

  root.CMLOffline = {app: app, lockNow: lockNow, sendNow: sendNow, home: home};
  boot();
})(this);
