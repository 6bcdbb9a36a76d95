// What waits on the phone, kept in IndexedDB and encrypted (AES-GCM) under a key derived
// from the monitor's PIN (PBKDF2-SHA256, a salt per user). The key lives only in this
// page's memory: locking, closing the page or a reload forgets it, and the PIN is never stored.
(function (root) {
  "use strict";
  var DB_NAME = "cml-offline", DB_VERSION = 1, ITERATIONS = 600000, CHECK = "cml-pin-check";
  var opened = null, key = null, owner = null;

  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("users", {keyPath: "user_id"});
          db.createObjectStore("interviews", {keyPath: "key"}).createIndex("user", "user_id");
          db.createObjectStore("meta");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  function run(store, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        var request = work(tx.objectStore(store));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        // Resolved on complete, not on success: the write is durable before anyone is told it is saved.
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function derive(pin, salt) {
    var bytes = new TextEncoder().encode(pin);
    return crypto.subtle.importKey("raw", bytes, "PBKDF2", false, ["deriveKey"]).then(function (material) {
      return crypto.subtle.deriveKey({name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: ITERATIONS},
        material, {name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"]);
    });
  }

  function seal(withKey, value, context) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var data = new TextEncoder().encode(JSON.stringify(value));
    // The record's key is bound in as associated data: a sealed value moved to another record does not open.
    return crypto.subtle.encrypt({name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(context)}, withKey, data)
      .then(function (sealed) { return {iv: iv, data: new Uint8Array(sealed)}; });
  }

  function open(withKey, box, context) {
    return crypto.subtle.decrypt({name: "AES-GCM", iv: box.iv, additionalData: new TextEncoder().encode(context)}, withKey, box.data)
      .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function profile(userId) { return run("users", "readonly", function (s) { return s.get(userId); }); }

  function requireKey() {
    if (!key) { return Promise.reject(new Error("locked")); }
    return Promise.resolve(key);
  }

  var api = {
    ITERATIONS: ITERATIONS,
    profile: profile,
    lastUser: function () { return run("meta", "readonly", function (s) { return s.get("last_user"); }); },
    setLastUser: function (userId) { return run("meta", "readwrite", function (s) { return s.put(userId, "last_user"); }); },
    unlocked: function () { return key ? owner : null; },
    /** A new PIN for a user with no profile on this phone: a fresh salt, and a sealed check value to know the PIN again. */
    create: function (userId, username, pin) {
      var salt = crypto.getRandomValues(new Uint8Array(16));
      return derive(pin, salt).then(function (derived) {
        return seal(derived, CHECK, "check:" + userId).then(function (check) {
          var record = {user_id: userId, username: username, salt: salt, iterations: ITERATIONS, check: check, setup: null, etag: null};
          return run("users", "readwrite", function (s) { return s.put(record); }).then(function () {
            key = derived; owner = userId;
          });
        });
      });
    },
    /** True when the PIN opens this user's check value (AES-GCM fails on any other key). */
    unlock: function (userId, pin) {
      return profile(userId).then(function (record) {
        if (!record) { return false; }
        return derive(pin, record.salt).then(function (derived) {
          return open(derived, record.check, "check:" + userId).then(function (value) {
            if (value !== CHECK) { return false; }
            key = derived; owner = userId;
            return true;
          }, function () { return false; });
        });
      });
    },
    lock: function () { key = null; owner = null; },
    saveSetup: function (setup, etag) {
      return requireKey().then(function (k) {
        var userId = owner;
        return seal(k, setup, "setup:" + userId).then(function (box) {
          return profile(userId).then(function (record) {
            record.setup = box; record.etag = etag;
            return run("users", "readwrite", function (s) { return s.put(record); });
          });
        });
      });
    },
    setup: function () {
      return requireKey().then(function (k) {
        var userId = owner;
        return profile(userId).then(function (record) {
          return record && record.setup ? open(k, record.setup, "setup:" + userId).then(function (setup) { return {setup: setup, etag: record.etag}; }) : null;
        });
      });
    },
    save: function (interview) {
      return requireKey().then(function (k) {
        var recordKey = owner + ":" + interview.id, userId = owner;
        return seal(k, interview, recordKey).then(function (box) {
          return run("interviews", "readwrite", function (s) { return s.put({key: recordKey, user_id: userId, iv: box.iv, data: box.data}); });
        });
      });
    },
    get: function (id) {
      return requireKey().then(function (k) {
        var recordKey = owner + ":" + id;
        return run("interviews", "readonly", function (s) { return s.get(recordKey); }).then(function (record) {
          return record ? open(k, record, recordKey) : null;
        });
      });
    },
    /** The unlocked user's interviews, opened; another user's records are never read. */
    list: function () {
      return requireKey().then(function (k) {
        var userId = owner;
        return run("interviews", "readonly", function (s) { return s.index("user").getAll(userId); }).then(function (records) {
          return Promise.all(records.map(function (r) { return open(k, r, r.key); }));
        });
      });
    }
  };
  root.CMLVault = api;
})(this);
