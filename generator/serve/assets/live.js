/* ankigen serve: keeps the open preview current without reloading it.
   Each build is announced on /__ankigen__/events. When the cards changed, those that did are
   fetched (all of them when more than their contents changed) and applied in place: a card
   whose text changed is redrawn in its frame (on the side it showed), everything else stays as
   it is, scroll position included. When cards were added, removed or moved, or the templates
   changed, the page's body is built again from the new page and the view restored: filters,
   theme, the cards turned over, the card at the top of the screen. Problems of the latest
   build are listed at the bottom of the page. */
(function () {
  "use strict";
  var served = window.ankigenServe || {};
  var shown = served.cards || 0;
  var current = readData(document);
  var panel = null;
  var hidden = false;

  function readData(doc) {
    var node = doc.getElementById("pv-data");
    return node ? JSON.parse(node.textContent) : { cards: [] };
  }
  function json(value) { return JSON.stringify(value).replace(/<\//g, "<\\/"); }
  function mark() { document.documentElement.setAttribute("data-ankigen-cards", String(shown)); }
  function isDark() { return document.documentElement.classList.contains("pv-dark"); }
  function articles() {
    var found = {};
    Array.prototype.forEach.call(document.querySelectorAll("article.pv-card"), function (article) {
      if (article.card) { found[article.card.id] = article; }
    });
    return found;
  }
  function flipped(article) {
    var flip = article.querySelector(".pv-flip");
    return Boolean(flip) && flip.getAttribute("data-side") === "back";
  }

  /* ---------- in place ---------- */
  function shell(data) { return JSON.stringify([data.css, data.script, data.frame]); }
  function outline(data) {
    return JSON.stringify(data.cards.map(function (card) {
      return [card.id, card.deck, card.noteType, card.noteTypeLabel, card.tags];
    }));
  }
  function same(a, b) {
    return Object.keys(b).every(function (key) {
      var x = a[key];
      var y = b[key];
      return key === "key" || x === y ||
        (typeof x === "object" && JSON.stringify(x) === JSON.stringify(y));
    });
  }
  function frameDoc(data, card) {
    return data.frame
      .replace("__CARD_CSS__", function () { return data.css; })
      .replace("__NIGHT__", isDark() ? "nightMode night_mode" : "")
      .replace("__SCRIPT__", function () { return json(data.script); })
      .replace("__SIDES__", function () { return json({ front: card.front, back: card.back }); })
      .replace("__ID__", function () { return json(card.key); });
  }
  function applyInPlace(next, version) {
    if (shell(next) !== shell(current) || outline(next) !== outline(current)) { return false; }
    var byId = articles();
    var redrawn = 0;
    for (var index = 0; index < next.cards.length; index += 1) {
      var before = current.cards[index];
      var after = next.cards[index];
      if (same(before, after)) { continue; }
      var article = byId[before.id];
      if (!article) { return false; }
      var card = article.card;
      Object.keys(after).forEach(function (key) { if (key !== "key") { card[key] = after[key]; } });
      var place = article.querySelector(".pv-source");
      if (place) { place.textContent = after.source; }
      var frame = article.querySelector("iframe");
      /* The page's script shows the side the card was on once the frame has loaded again. */
      if (frame) { frame.srcdoc = frameDoc(next, card); }
      article.setAttribute("data-ankigen-redrawn", String(version));
      redrawn += 1;
    }
    var search = document.getElementById("pv-text");
    if (search && redrawn) { search.dispatchEvent(new Event("input")); }
    return true;
  }

  /* ---------- the body built again ---------- */
  function remember() {
    var state = { flipped: [], anchor: null, offset: 0, scroll: window.scrollY, dark: isDark(), filters: {} };
    var byId = articles();
    Object.keys(byId).forEach(function (id) {
      var article = byId[id];
      if (flipped(article)) { state.flipped.push(id); }
      var box = article.getBoundingClientRect();
      if (state.anchor === null && box.bottom > 0 && !article.hidden) {
        state.anchor = id;
        state.offset = box.top;
      }
    });
    ["pv-text", "pv-kind", "pv-tag"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) { state.filters[id] = input.value; }
    });
    return state;
  }
  function anchor(state) {
    var article = state.anchor === null ? null : articles()[state.anchor];
    if (article) {
      window.scrollBy(0, article.getBoundingClientRect().top - state.offset);
    } else {
      window.scrollTo(0, state.scroll);
    }
  }
  function restore(state) {
    Object.keys(state.filters).forEach(function (id) {
      var input = document.getElementById(id);
      if (input && input.value !== state.filters[id]) {
        input.value = state.filters[id];
        input.dispatchEvent(new Event("input"));
        input.dispatchEvent(new Event("change"));
      }
    });
    var theme = document.getElementById("pv-theme");
    if (theme && isDark() !== state.dark) { theme.click(); }
    var byId = articles();
    state.flipped.forEach(function (id) {
      var article = byId[id];
      var flip = article && article.querySelector(".pv-flip");
      if (!flip) { return; }
      flip.click();
    });
    /* Frames load and take their height over a moment: hold the anchor card in place until
       they have, or until the reader scrolls. */
    var until = Date.now() + 2000;
    var stop = false;
    var halt = function () { stop = true; };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (kind) {
      window.addEventListener(kind, halt, { once: true, passive: true });
    });
    (function hold() {
      if (stop || Date.now() > until) { return; }
      anchor(state);
      window.requestAnimationFrame(hold);
    }());
  }
  function runScripts(root) {
    Array.prototype.forEach.call(root.querySelectorAll("script"), function (old) {
      var fresh = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (attribute) {
        fresh.setAttribute(attribute.name, attribute.value);
      });
      fresh.text = old.text;
      old.parentNode.replaceChild(fresh, old);
    });
  }
  function remount(next, done) {
    var state = remember();
    fetch("/", { cache: "no-store" }).then(function (response) { return response.text(); }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      Array.prototype.forEach.call(page.querySelectorAll("script"), function (script) {
        if (script.src.indexOf("/__ankigen__/") >= 0 || script.text.indexOf("window.ankigenServe") >= 0) {
          script.parentNode.removeChild(script);
        }
      });
      document.head.innerHTML = page.head.innerHTML;
      var body = document.importNode(page.body, true);
      document.documentElement.replaceChild(body, document.body);
      runScripts(body);
      current = readData(document);
      if (panel) { body.appendChild(panel); }
      restore(state);
      done();
    });
  }

  /* ---------- problems ---------- */
  function element(tag, style, text) {
    var node = document.createElement(tag);
    if (style) { node.setAttribute("style", style); }
    if (text) { node.textContent = text; }
    return node;
  }
  function showProblems(status) {
    var items = status.diagnostics || [];
    if (!panel) {
      panel = element("section", "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;" +
        "max-height:40vh;overflow:auto;margin:0;padding:8px 12px;font:13px/1.45 ui-monospace," +
        "SFMono-Regular,Menlo,Consolas,monospace;background:#1e1e1e;color:#eee;" +
        "box-shadow:0 -2px 8px rgba(0,0,0,.3)");
      panel.id = "ankigen-problems";
      panel.setAttribute("role", "status");
      document.body.appendChild(panel);
    }
    panel.textContent = "";
    panel.setAttribute("data-ok", status.ok ? "true" : "false");
    panel.setAttribute("data-version", String(status.version));
    if (!items.length || hidden) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    var errors = items.filter(function (item) { return item.severity === "error"; }).length;
    var head = element("div", "display:flex;gap:12px;align-items:baseline;margin-bottom:4px");
    head.appendChild(element("strong", "color:" + (errors ? "#ff6b6b" : "#ffd166"),
      status.ok ? items.length + " warning(s)" : "Build failed: the preview shows the last cards that built"));
    head.appendChild(element("span", "opacity:.75", status.message));
    var close = element("button", "margin-left:auto;background:none;border:1px solid #888;color:#eee;" +
      "border-radius:4px;cursor:pointer", "Hide");
    close.type = "button";
    close.addEventListener("click", function () { hidden = true; panel.hidden = true; });
    head.appendChild(close);
    panel.appendChild(head);
    var list = element("ul", "list-style:none;margin:0;padding:0");
    items.forEach(function (item) {
      var color = item.severity === "error" ? "#ff6b6b" : "#ffd166";
      var row = element("li", "white-space:pre-wrap;border-left:3px solid " + color + ";padding-left:8px;margin:2px 0", item.text);
      row.className = "ankigen-problem " + item.severity;
      list.appendChild(row);
    });
    panel.appendChild(list);
  }

  /* ---------- events ---------- */
  var updating = false;
  var wanted = shown;
  function apply(next, target) {
    var finish = function () {
      shown = target;
      mark();
      updating = false;
      update();
    };
    if (applyInPlace(next, target)) {
      current = next;
      finish();
    } else {
      remount(next, finish);
    }
  }
  /* Only the cards that changed are fetched when nothing else did (a save in a large course);
     else all of them. */
  function update() {
    if (updating || wanted === shown) { return; }
    updating = true;
    fetch("/__ankigen__/delta?from=" + shown, { cache: "no-store" }).then(function (response) {
      return response.json();
    }).then(function (delta) {
      if (delta.full) {
        return fetch("/__ankigen__/data.json", { cache: "no-store" }).then(function (response) {
          return response.json();
        }).then(function (next) { apply(next, delta.to); });
      }
      var next = Object.assign({}, current, { cards: current.cards.slice() });
      delta.changed.forEach(function (item) { next.cards[item[0]] = item[1]; });
      apply(next, delta.to);
    }).catch(function () { updating = false; });
  }
  mark();
  var source = new EventSource("/__ankigen__/events");
  source.onmessage = function (event) {
    var status = JSON.parse(event.data);
    hidden = false;
    showProblems(status);
    if (status.ok && status.cards !== shown) {
      wanted = status.cards;
      update();
    }
  };
}());
