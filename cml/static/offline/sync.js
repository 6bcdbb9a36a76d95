// Sends waiting interviews to /collect/api/v1/submissions, one at a time. A copy leaves the
// phone only after the server's receipt (sent after its commit); a network failure or a
// server error keeps everything and tries again later, waiting longer each time.
(function (root) {
  "use strict";
  var Vault = root.CMLVault;
  var MAX_DELAY = 5 * 60 * 1000;
  var state = {attempt: 0, timer: null, running: null};

  function call(api, path, options) {
    var settings = Object.assign({credentials: "same-origin", cache: "no-store"}, options || {});
    settings.headers = Object.assign({Accept: "application/json"}, settings.headers || {});
    return fetch(api + path, settings);
  }

  function json(response) { return response.json().catch(function () { return {}; }); }

  /** Who the server thinks is signed in: {status: "ok", session}, "signed_out", or "unreachable". */
  function session(api) {
    return call(api, "session").then(function (response) {
      if (response.status === 401) { return {status: "signed_out"}; }
      if (!response.ok) { return {status: "unreachable", retryAfter: retryAfter(response)}; }
      return json(response).then(function (body) { return {status: "ok", session: body}; });
    }, function () { return {status: "unreachable"}; });
  }

  /** The questionnaires and places, asked with the kept ETag so that an unchanged setup costs a 304. */
  function refreshSetup(api) {
    return Vault.setup().then(function (kept) {
      var headers = kept && kept.etag ? {"If-None-Match": kept.etag} : {};
      return call(api, "setup", {headers: headers}).then(function (response) {
        if (response.status === 304) { return kept.setup; }
        if (!response.ok) { return kept ? kept.setup : null; }
        return json(response).then(function (setup) {
          return Vault.saveSetup(setup, response.headers.get("ETag") || setup.etag || null).then(function () { return setup; });
        });
      }, function () { return kept ? kept.setup : null; });
    });
  }

  function retryAfter(response) {
    var seconds = Number(response.headers.get("Retry-After"));
    return isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
  }

  function body(interview) {
    return JSON.stringify({submission_id: interview.id, questionnaire: interview.questionnaire, version: interview.version,
      facility: interview.facility, interview_date: interview.interview_date, answers: interview.answers});
  }

  /** Stores what the server answered about one interview; false when sending should stop for now. */
  function settle(interview, response, outcome) {
    var status = response.status;
    if (status === 200 || status === 201) {
      return json(response).then(function (answer) {
        // Acknowledged after the server's commit: only now may the answers leave the phone.
        var sent = {id: interview.id, questionnaire: interview.questionnaire, version: interview.version, title: interview.title,
          place: interview.place, interview_date: interview.interview_date, status: "sent", receipt: answer.receipt || {},
          repeat: answer.status === "duplicate", started_at: interview.started_at, updated_at: new Date().toISOString()};
        outcome.sent += 1;
        return Vault.save(sent).then(function () { return true; });
      });
    }
    if (status === 409 || status === 422 || status === 400 || status === 413) {
      return json(response).then(function (answer) {
        // A stale CSRF token is the session's, not the interview's: kept waiting, the next round asks for a new one.
        if (status === 400 && answer.status === "csrf") { outcome.failed = true; return false; }
        interview.status = status === 409 ? "conflict" : status === 422 ? "unfinished" : "refused";
        interview.message = answer.message || "";
        interview.server_errors = answer.errors || [];
        interview.updated_at = new Date().toISOString();
        outcome.problems += 1;
        return Vault.save(interview).then(function () { return true; });
      });
    }
    if (status === 401) { outcome.signedOut = true; return Promise.resolve(false); }
    if (status === 403) { outcome.forbidden = true; return Promise.resolve(false); }
    outcome.failed = true;
    outcome.retryAfter = retryAfter(response);
    return Promise.resolve(false);
  }

  function sendWaiting(api, csrf, outcome) {
    return Vault.list().then(function (interviews) {
      var waiting = interviews.filter(function (i) { return i.status === "waiting"; })
        .sort(function (a, b) { return (a.finished_at || "").localeCompare(b.finished_at || ""); });
      var next = function (i) {
        if (i >= waiting.length) { return Promise.resolve(); }
        return call(api, "submissions", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: body(waiting[i])})
          .then(function (response) { return settle(waiting[i], response, outcome); }, function () { outcome.failed = true; return false; })
          .then(function (goOn) { return goOn ? next(i + 1) : null; });
      };
      outcome.waiting = waiting.length;
      return next(0);
    });
  }

  /** One round: check the session, refresh the setup, send what waits. Never two rounds at once. */
  function syncNow(api, onDone) {
    if (state.running) { return state.running; }
    clearTimeout(state.timer);
    var userId = Vault.unlocked(), outcome = {sent: 0, problems: 0, waiting: 0, failed: false, signedOut: false, otherUser: false, forbidden: false};
    state.running = session(api).then(function (found) {
      if (found.status === "signed_out") { outcome.signedOut = true; return null; }
      if (found.status !== "ok") { outcome.failed = true; outcome.retryAfter = found.retryAfter; return null; }
      if (found.session.user_id !== userId) { outcome.otherUser = true; return null; }
      return refreshSetup(api).then(function () { return sendWaiting(api, found.session.csrf_token, outcome); });
    }).catch(function () { outcome.failed = true; }).then(function () {
      state.running = null;
      if (outcome.failed && Vault.unlocked() === userId) {
        var delay = outcome.retryAfter || Math.min(MAX_DELAY, 5000 * Math.pow(2, state.attempt));
        state.attempt += 1;
        outcome.retryIn = Math.round(delay / 1000);
        state.timer = setTimeout(function () { syncNow(api, onDone); }, delay);
      } else {
        state.attempt = 0;
      }
      if (onDone) { onDone(outcome); }
      return outcome;
    });
    return state.running;
  }

  function stop() { clearTimeout(state.timer); state.attempt = 0; }

  root.CMLSync = {session: session, refreshSetup: refreshSetup, syncNow: syncNow, stop: stop};
})(this);
