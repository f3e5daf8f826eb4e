// Forms, on every page (base.html).
// - The server validates everything: the browser's own validation must never block a
//   submit silently, so every form gets novalidate.
// - After a failed submit the error summary (templates/includes/_error_summary.html) takes
//   the focus, on load and when htmx swaps one in (GOV.UK pattern); its links move the focus
//   to their field and show the field's label.
(function () {
  "use strict";

  function within(root, selector) {
    var found = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll(selector)) : [];
    if (root.matches && root.matches(selector)) {
      found.unshift(root);
    }
    return found;
  }

  function prepare(root) {
    within(root, "form").forEach(function (form) {
      form.noValidate = true;
    });
    var summary = within(root, "[data-error-summary]")[0];
    if (summary) {
      summary.focus();
    }
  }

  // What to show above the field: the legend of a group of boxes, else the field's label.
  function label(field) {
    var fieldset = field.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend && (field.type === "checkbox" || field.type === "radio")) {
      return legend;
    }
    return (field.id && document.querySelector('label[for="' + CSS.escape(field.id) + '"]')) || field;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    label(field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // htmx fires htmx:afterSwap on each element it swapped in.
  document.addEventListener("htmx:afterSwap", function (event) {
    prepare(event.target);
  });

  prepare(document);
})();
