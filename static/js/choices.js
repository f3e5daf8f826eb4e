// Checkbox groups with a filter (traffick_cm/widgets.py, ChoiceFilterWidget), loaded by the
// pages whose form uses the widget ({{ form.media }}).
// - The count ("3 selected") shows and follows the ticks; its two wordings come from the
//   server, translated, and the page language's plural rules pick one.
// - A long list gets its filter box: typing hides the choices that do not contain every word
//   typed (case and accents ignored: "ministere justice" finds "Ministère de la Justice");
//   Escape empties it; Enter never submits the form from the filter. Hidden choices keep
//   their ticks.
// Without this script every checkbox shows and the form works the same.
(function () {
  "use strict";

  var lang = document.documentElement.lang || undefined;
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function within(root, selector) {
    var found = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll(selector)) : [];
    if (root.matches && root.matches(selector)) {
      found.unshift(root);
    }
    return found;
  }

  function setUp(group) {
    group.setAttribute("data-choice-filter-ready", "");
    var options = within(group, "[data-choice-filter-option]");
    var boxes = options.map(function (option) {
      return option.querySelector("input");
    });

    var count = group.querySelector("[data-choice-filter-count]");
    function showCount() {
      var ticked = boxes.filter(function (box) {
        return box.checked;
      }).length;
      var one = plural ? plural.select(ticked) === "one" : ticked === 1;
      var wording = one ? group.dataset.countOne : group.dataset.countOther;
      count.textContent = wording.replace("%(count)s", ticked.toLocaleString(lang));
    }
    if (count) {
      group.addEventListener("change", showCount);
      showCount();
      count.hidden = false;
    }

    var search = group.querySelector("[data-choice-filter-search]");
    var input = group.querySelector("[data-choice-filter-input]");
    if (!search || !input) {
      return;
    }
    var empty = group.querySelector("[data-choice-filter-empty]");
    var groups = within(group, "[data-choice-filter-group]");
    var texts = options.map(function (option) {
      return fold(option.textContent);
    });

    function filter() {
      var words = fold(input.value).split(" ").filter(Boolean);
      var shown = 0;
      options.forEach(function (option, index) {
        var match = words.every(function (word) {
          return texts[index].indexOf(word) !== -1;
        });
        option.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      groups.forEach(function (optgroup) {
        optgroup.hidden = !optgroup.querySelector("[data-choice-filter-option]:not([hidden])");
      });
      if (empty) {
        empty.hidden = shown > 0;
      }
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        filter();
      }
    });
    group.classList.add("is-filterable");
    search.hidden = false;
    // A value the browser restored (back navigation) filters at once.
    filter();
  }

  function prepare(root) {
    within(root, "[data-choice-filter]:not([data-choice-filter-ready])").forEach(setUp);
  }

  // htmx fires htmx:afterSwap on each element it swapped in.
  document.addEventListener("htmx:afterSwap", function (event) {
    prepare(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      prepare(document);
    });
  } else {
    prepare(document);
  }
})();
