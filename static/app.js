// Progressive enhancement only: every feature here also works without JavaScript.
(function () {
  "use strict";

  // Same loose matching as web/formatting.py fold(): no diacritics, one alef/ya/ta marbuta.
  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, "")
      .replace(/[أإآٱ]/g, "ا").replace(/ة/g, "ه").replace(/ى/g, "ي").replace(/ؤ/g, "و").replace(/ئ/g, "ي")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button.getAttribute("data-copy")).then(function () {
        button.textContent = "نُسخ الرابط ✓";
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });

  // Typing in a facet's search box filters its values in place (the form still submits to
  // the full /facet/<name> page, which also lists values beyond the sidebar's).
  document.querySelectorAll("input[data-filter-list]").forEach(function (input) {
    var id = input.getAttribute("data-filter-list");
    var list = document.getElementById(id);
    if (!list) { return; }
    var more = document.querySelector('details[data-more-for="' + id + '"]');
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    if (more) { items = items.concat(Array.prototype.slice.call(more.querySelectorAll("li"))); }
    var keys = items.map(function (li) { return fold(li.getAttribute("data-label")); });
    // The "more (N)" count follows the filter: N is what the box lets through under "more".
    var count = more ? more.querySelector(".more-count") : null;
    input.addEventListener("input", function () {
      var needle = fold(input.value);
      var shownInMore = 0;
      items.forEach(function (li, i) {
        var show = !needle || keys[i].indexOf(needle) !== -1;
        li.hidden = !show;
        if (show && more && more.contains(li)) { shownInMore += 1; }
      });
      if (count) { count.textContent = shownInMore.toLocaleString("en-US"); }
      if (more) {
        more.hidden = shownInMore === 0;
        if (needle) { more.open = shownInMore > 0; }
      }
    });
  });

  // Range facets (troops, casualties) are radio buttons: picking a range applies it at once;
  // typing a bound picks "other range". Without JavaScript the button does the same.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var custom = form.querySelector("input[data-custom]");
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio === custom) {
          var first = form.querySelector("input[type=number]");
          if (first) { first.focus(); }
        } else if (radio.checked) {
          // a fixed range (or "all") replaces any bounds typed before
          form.querySelectorAll("input[type=number]").forEach(function (b) { b.value = ""; });
          form.submit();
        }
      });
    });
    form.querySelectorAll("input[type=number]").forEach(function (bound) {
      bound.addEventListener("input", function () { if (custom) { custom.checked = true; } });
    });
  });
})();
