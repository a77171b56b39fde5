/* The Stripe Payment Element for a sponsor contribution.
 *
 * The page renders the form hidden, with what Stripe.js needs in data attributes; this script
 * shows it once Stripe.js has loaded. Without JavaScript (or without Stripe.js) the page keeps
 * saying what to do instead: turn JavaScript on, or pay by bank transfer. The contribution
 * counts only when Stripe's webhook reaches the site, never because of anything done here.
 */
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("contribution-payment");
    if (!form || typeof window.Stripe !== "function") {
      return;
    }
    var loading = document.getElementById("payment-loading");
    var message = document.getElementById("payment-message");
    var button = form.querySelector("button[type=submit]");
    var stripe = window.Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
    var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
    var paymentElement = elements.create("payment");

    paymentElement.on("ready", function () {
      if (loading) {
        loading.hidden = true;
      }
    });
    paymentElement.mount("#payment-element");
    form.hidden = false;

    function showError(text) {
      message.textContent = text;
      message.hidden = false;
      button.disabled = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) {
        return; // one confirmation at a time: a double click never pays twice
      }
      button.disabled = true;
      message.hidden = true;
      stripe
        .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
        .then(function (result) {
          // Only reached when Stripe did not redirect: the card was refused or the input is incomplete.
          if (result.error) {
            showError(result.error.message);
          }
        })
        .catch(function () {
          showError(form.dataset.networkError || "Stripe could not be reached. Nothing was charged; try again.");
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
