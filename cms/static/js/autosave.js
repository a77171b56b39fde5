/* Quiet autosave for a draft form marked with data-autosave.
   Progressive enhancement: without JavaScript the form's own "Save draft" button does the same.
   Every 30 seconds, if something changed, the same form is POSTed with fetch; the server
   answers JSON ({saved, message}) and the message is shown in the live region named by
   data-autosave-status. A failed save keeps the change pending and is retried.
   Leaving the page while a change is not saved yet asks first (beforeunload); a file chosen for
   upload is not a change of the draft, and the autosave never sends it. */
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

  function markDirty(event) {
    if (event.target && event.target.type === "file") {
      return;
    }
    dirty = true;
  }

  function draftData() {
    var data = new FormData(form);
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.type === "file" && element.name && data.delete) {
        data.delete(element.name);
      }
    });
    return data;
  }

  function save() {
    if (!dirty || busy) {
      return;
    }
    busy = true;
    dirty = false;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: draftData(),
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
  // A normal submit ("Save draft", or "Attach file", which sends the draft too) saves
  // everything; nothing is left for the timer or to warn about.
  var submitting = false;
  form.addEventListener("submit", function () {
    dirty = false;
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !(dirty || busy)) {
      return;
    }
    event.preventDefault();
    // Older browsers show the warning only when returnValue is set.
    event.returnValue = "";
  });
  window.setInterval(save, 30000);
})();
