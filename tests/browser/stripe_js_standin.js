/* A stand-in for Stripe.js (https://js.stripe.com/v3/) in the browser journeys, which never reach
   the network outside this machine: the part of the Payment Element the contribution page uses.
   mount() draws a labelled card-number field; confirmPayment() confirms the PaymentIntent at
   "api.stripe.com", which the test routes to the Stripe emulator, then goes to the return URL as
   Stripe does. */
(function () {
  "use strict";

  function PaymentElement() {
    this.handlers = {};
  }
  PaymentElement.prototype.on = function (event, handler) {
    this.handlers[event] = handler;
  };
  PaymentElement.prototype.mount = function (selector) {
    var host = document.querySelector(selector);
    var label = document.createElement("label");
    label.setAttribute("for", "standin-card-number");
    label.textContent = "Card number";
    var input = document.createElement("input");
    input.id = "standin-card-number";
    input.name = "standin-card-number";
    input.autocomplete = "cc-number";
    input.inputMode = "numeric";
    host.appendChild(label);
    host.appendChild(input);
    this.input = input;
    if (this.handlers.ready) {
      this.handlers.ready({});
    }
  };

  window.Stripe = function () {
    var element = null;
    return {
      elements: function (options) {
        return {
          clientSecret: options.clientSecret,
          create: function () {
            element = new PaymentElement();
            return element;
          },
        };
      },
      confirmPayment: function (options) {
        var secret = options.elements.clientSecret;
        var intent = secret.split("_secret_")[0];
        var card = element && element.input.value.replace(/\s/g, "");
        var method = card === "4000000000000002" ? "pm_card_chargeDeclined" : "pm_card_visa";
        var body = new URLSearchParams({ client_secret: secret, payment_method: method });
        return fetch("https://api.stripe.com/v1/payment_intents/" + intent + "/confirm", {
          method: "POST",
          body: body,
        })
          .then(function (response) {
            return response.json();
          })
          .then(function (answer) {
            if (answer.error) {
              return { error: answer.error };
            }
            var back = new URL(options.confirmParams.return_url, window.location.href);
            back.searchParams.set("payment_intent", intent);
            back.searchParams.set("redirect_status", answer.status);
            window.location.assign(back.toString());
            return new Promise(function () {});
          });
      },
    };
  };
})();
