// The collecting app's service worker: keeps the app's own files (the same for every user)
// so that it opens with no connection. Answers, questionnaires and places never pass through
// its cache: the app keeps them in IndexedDB, encrypted under the monitor's PIN.
"use strict";
var CACHE = "cml-offline-{{ version }}";
var FILES = {{ files|safe }};
var SHELL = {{ shell|safe }};
var API = {{ api|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // "no-cache": asked again with the browser's validators, so files it already has cost a 304, not a second copy.
    return cache.addAll(FILES.map(function (url) { return new Request(url, {cache: "no-cache", credentials: "same-origin"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("cml-offline-") === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf(API) === 0) { return; }
  var key = request.mode === "navigate" && url.pathname === SHELL ? SHELL : url.pathname;
  if (FILES.indexOf(key) < 0) { return; }
  // The kept copy first: the app opens at once, with or without a connection; a new
  // version of the files comes with a new service worker, never piecemeal.
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(key).then(function (hit) { return hit || fetch(request); });
  }));
});
