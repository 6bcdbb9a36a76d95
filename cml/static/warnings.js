// The warnings' copy buttons: put a warning's messenger text on the clipboard, or select it where the
// clipboard is not allowed (an old phone browser, a page not served over HTTPS) so it can be copied by hand.
(function () {
  "use strict";
  function say(button, words) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = words; }
  }
  function selectText(box) {
    box.focus();
    box.select();
    box.setSelectionRange(0, box.value.length);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) { return; }
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) { return; }
    var copied = button.getAttribute("data-copied"), failed = button.getAttribute("data-failed");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(function () { say(button, copied); },
        function () { selectText(box); say(button, failed); });
      return;
    }
    selectText(box);
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    say(button, done ? copied : failed);
  });
}());
