/* A live character count under each long text field marked with data-maxlength
   ("120 / 2.000 karakter"), as core/text_limits.py marks them. Progressive enhancement: without
   JavaScript the help text states the limit and the server refuses a longer text with a message.
   Nothing is cut: a text over the limit is kept, and the count says by how much it is over. */
(function () {
  "use strict";
  var fields = document.querySelectorAll("textarea[data-maxlength]");
  if (!fields.length) {
    return;
  }
  var numbers = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || undefined) : null;

  function number(value) {
    return numbers ? numbers.format(value) : String(value);
  }

  Array.prototype.forEach.call(fields, function (field) {
    // The script may be on a page once per form: one counter per field.
    if (field.hasAttribute("data-counted")) {
      return;
    }
    field.setAttribute("data-counted", "");
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    var counter = document.createElement("p");
    counter.className = "help text-counter";
    counter.id = field.id + "_counter";
    // Read out only when the limit is passed, not at every keystroke.
    var warning = document.createElement("span");
    warning.setAttribute("role", "status");
    warning.className = "text-counter__over";
    var count = document.createElement("span");
    counter.appendChild(count);
    counter.appendChild(warning);
    field.insertAdjacentElement("afterend", counter);
    var describedBy = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + counter.id);

    function update() {
      var length = field.value.length;
      count.textContent = field.getAttribute("data-counter").replace("{count}", number(length));
      if (length > limit) {
        warning.textContent = " — " + field.getAttribute("data-counter-over").replace("{over}", number(length - limit));
        counter.classList.add("text-counter--over");
      } else {
        warning.textContent = "";
        counter.classList.remove("text-counter--over");
      }
    }

    field.addEventListener("input", update);
    update();
  });
})();
