/*
 * Suggestions for the search box (progressive enhancement: without JavaScript the box is a
 * plain search field and the form submits as usual).
 *
 * Enhances every <input data-suggest-url="..."> into an ARIA 1.2 combobox with a listbox of
 * titles from GET <data-suggest-url>?q=<words> ([{title, url, type}]). Typing waits a moment
 * before asking (debounce); arrow keys move through the list, Enter opens the highlighted
 * suggestion, Escape closes the list. Optional attributes on the input:
 *   data-type-labels   JSON object: type -> label shown beside each title
 *   data-status-text   announced to screen readers when suggestions appear
 */
(function () {
  "use strict";

  var DELAY_MS = 250;
  var MIN_CHARS = 2;

  if (!window.fetch || !document.querySelector) {
    return;
  }

  function enhance(input, index) {
    var endpoint = input.getAttribute("data-suggest-url");
    var typeLabels = {};
    try {
      typeLabels = JSON.parse(input.getAttribute("data-type-labels") || "{}");
    } catch (e) {
      typeLabels = {};
    }
    var statusText = input.getAttribute("data-status-text") || "";
    var listId = (input.id || "search-box-" + index) + "-suggestions";

    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    if (input.labels && input.labels.length) {
      list.setAttribute("aria-label", input.labels[0].textContent.trim());
    }
    list.hidden = true;
    // Inline so the widget needs nothing from the stylesheet.
    list.style.cssText =
      "position:absolute;left:0;right:0;top:100%;z-index:5;margin:0;padding:0;list-style:none;" +
      "background:#fff;border:2px solid #1b1b1b;border-top:0;max-height:20rem;overflow-y:auto;";

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");

    var container = input.parentNode;
    if (window.getComputedStyle(container).position === "static") {
      container.style.position = "relative";
    }
    container.appendChild(list);
    container.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;
    var lastAsked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      var options = list.children;
      for (var i = 0; i < options.length; i++) {
        var on = i === position;
        options[i].setAttribute("aria-selected", on ? "true" : "false");
        options[i].style.background = on ? "#0b4f7c" : "";
        options[i].style.color = on ? "#fff" : "";
      }
      active = position;
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].id);
        options[position].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open(suggestions) {
      items = suggestions;
      list.textContent = "";
      if (!items.length) {
        close();
        status.textContent = "";
        return;
      }
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.style.cssText = "padding:.5rem .75rem;cursor:pointer;min-height:2.75rem;";
        option.appendChild(document.createTextNode(item.title));
        if (typeLabels[item.type]) {
          var kind = document.createElement("span");
          kind.textContent = " · " + typeLabels[item.type];
          kind.style.fontSize = ".875rem";
          option.appendChild(kind);
        }
        // mousedown, not click: the input keeps focus, so the list is not closed first.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.assign(item.url);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent = statusText;
    }

    function ask() {
      var words = input.value.trim();
      if (words.length < MIN_CHARS) {
        lastAsked = "";
        close();
        return;
      }
      if (words === lastAsked) {
        return;
      }
      lastAsked = words;
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var separator = endpoint.indexOf("?") === -1 ? "?" : "&";
      window
        .fetch(endpoint + separator + "q=" + encodeURIComponent(words), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller ? controller.signal : undefined,
        })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (suggestions) {
          if (input.value.trim() === words && document.activeElement === input) {
            open(Array.isArray(suggestions) ? suggestions : []);
          }
        })
        .catch(function () {
          // Suggestions are a convenience: on any failure the box stays a plain search field.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && items.length) {
          open(items);
          highlight(0);
          event.preventDefault();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        highlight(active + 1 < items.length ? active + 1 : 0);
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        highlight(active > 0 ? active - 1 : items.length - 1);
        event.preventDefault();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(items[active].url);
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    input.addEventListener("blur", close);
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-suggest-url]");
    for (var i = 0; i < inputs.length; i++) {
      enhance(inputs[i], i);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
