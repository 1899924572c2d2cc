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

  // Range facets (troops, casualties) are radio buttons: picking a range with the mouse (or a
  // finger) applies it at once; typing a bound picks "other range". Arrow keys only move the
  // choice (each press changes it: submitting then would reload the page under the keyboard),
  // and the "apply" button submits, as it does without JavaScript.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var custom = form.querySelector("input[data-custom]");
    var pointer = false;
    form.addEventListener("pointerdown", function () { pointer = true; });
    form.addEventListener("keydown", function () { pointer = false; });
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio === custom) {
          var first = form.querySelector("input[type=number]");
          if (first && pointer) { first.focus(); }
        } else if (radio.checked && pointer) {
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

  // Deleting asks first (a saved search's short link may be shared already).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // "New since you last looked": a search page remembers the newest arrival it saw, per
  // search (its saved query string); the saved-searches page asks the JSON twin how many
  // articles arrived after that (since=) and links to exactly those.
  function remember(key, mark) {
    try {
      var old = localStorage.getItem("seen:" + key);
      if (!old || old < mark) { localStorage.setItem("seen:" + key, mark); }
    } catch (e) { /* storage disabled: nothing to remember */ }
  }
  function recalled(key) {
    try { return localStorage.getItem("seen:" + key); } catch (e) { return null; }
  }
  var results = document.querySelector("[data-seen-key][data-seen-mark]");
  if (results) { remember(results.getAttribute("data-seen-key"), results.getAttribute("data-seen-mark")); }

  var savedRows = Array.prototype.slice.call(document.querySelectorAll("tr[data-qs]"));
  if (savedRows.length) {
    document.querySelectorAll(".new-since").forEach(function (el) { el.hidden = false; });
  }
  function countNew(row) {
    var qs = row.getAttribute("data-qs");
    var cell = row.querySelector("td.new-since");
    var mark = recalled(qs);
    if (!mark) { cell.textContent = "لم يُفتح هنا بعد"; return Promise.resolve(); }
    var url = "/api/search?" + (qs ? qs + "&" : "") + "since=" + encodeURIComponent(mark);
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      if (!data) { cell.textContent = "—"; return; }
      if (!data.total) { cell.textContent = "لا جديد"; return; }
      var link = document.createElement("a");
      link.href = data.canonical_url;
      link.textContent = data.total.toLocaleString("en") + " جديد";
      cell.textContent = "";
      cell.appendChild(link);
    }).catch(function () { cell.textContent = "—"; });
  }
  (function next(i) {  // one request at a time: a long list must not flood the server
    if (i < savedRows.length) { countNew(savedRows[i]).then(function () { next(i + 1); }); }
  })(0);

  // Sortable tables (the batch results): click a column header; again to reverse.
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var body = table.tBodies[0];
    table.querySelectorAll("thead th[data-sort]").forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "number";
        var ascending = th.getAttribute("aria-sort") === "descending";
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr.row"));
        function key(tr) {
          var v = tr.cells[col] ? tr.cells[col].getAttribute("data-value") || "" : "";
          return numeric ? parseFloat(v) || 0 : v;
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = numeric ? x - y : String(x).localeCompare(String(y), "ar");
          return ascending ? c : -c;
        });
        var tail = body.querySelector("tr.progress:last-child");
        rows.forEach(function (tr) { body.insertBefore(tr, tail); });
      });
    });
  });
})();
