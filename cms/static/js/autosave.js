/* Quiet autosave for a draft form marked with data-autosave.
   Progressive enhancement: without JavaScript the form's own "Save draft" button does the same.
   Every 30 seconds, if something changed, the same form is POSTed with fetch; the server
   answers JSON ({saved, message}) and the message is shown in the live region named by
   data-autosave-status. A failed save keeps the change pending and is retried. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById(form.getAttribute("data-autosave-status"));
  var failedText = form.getAttribute("data-autosave-failed") || "";
  var dirty = false;
  var busy = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function markDirty() {
    dirty = true;
  }

  function save() {
    if (!dirty || busy) {
      return;
    }
    busy = true;
    dirty = false;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok || !data.saved) {
            dirty = true;
          }
          say(data.message || failedText);
        });
      })
      .catch(function () {
        dirty = true;
        say(failedText);
      })
      .then(function () {
        busy = false;
      });
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  // A normal submit saves everything; nothing is left for the timer.
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.setInterval(save, 30000);
})();
