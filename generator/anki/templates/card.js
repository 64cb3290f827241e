/* ankigen card behaviour. Runs on every side of every card, many times per page on desktop
   Anki (one page per session) and once per page on AnkiDroid (a fresh page per side).
   Everything lives in this function: no globals but the memory store and the key handler
   below, no listeners left on elements that outlive the side. Field text is only ever read
   from the DOM. */
(function () {
  "use strict";

  var root = document.querySelector(".ak[data-ak]");
  if (!root || root.getAttribute("data-ak-ready") === "1") { return; }
  root.setAttribute("data-ak-ready", "1");
  root.classList.add("ak-js");

  var noteId = root.getAttribute("data-note") || "";
  /* The CardID field: a number on current clients; older ones leave the field name or nothing. */
  var cardId = root.getAttribute("data-card") || "";
  if (!/^[0-9]+$/.test(cardId)) { cardId = ""; }
  var side = root.classList.contains("ak-back") ? "back" : "front";
  var key = "ankigen:" + noteId + ":" + cardId;
  var desktop = /(^|\s)is(Lin|Mac|Win)(\s|$)/.test(document.body.className);

  /* ---------- the pick, carried from front to back ----------
     Clients differ: desktop keeps one page (memory suffices), AnkiDroid loads a page per side
     and its newer study screen clears sessionStorage on each flip, some webviews block
     storage. Every layer is written; the first that has the value is read. */
  var TTL = 6 * 60 * 60 * 1000;
  var NAME_PREFIX = "ankigen-state:";
  var memory = window.ankigenMemory || (window.ankigenMemory = {});
  function now() { return new Date().getTime(); }
  function fresh(record) {
    return record && typeof record.v === "string" && typeof record.t === "number" &&
      now() - record.t < TTL && record.t - now() < 60000;
  }
  function nameBox() {
    var name = "";
    try { name = String(window.name || ""); } catch (e) { return null; }
    if (name === "") { return {}; }
    if (name.indexOf(NAME_PREFIX) !== 0) { return null; } /* someone else's: leave it alone */
    try { return JSON.parse(name.slice(NAME_PREFIX.length)) || {}; } catch (e) { return {}; }
  }
  function writeNameBox(box) {
    var kept = {};
    Object.keys(box).filter(function (k) { return fresh(box[k]); })
      .sort(function (a, b) { return box[b].t - box[a].t; }).slice(0, 20)
      .forEach(function (k) { kept[k] = box[k]; });
    try { window.name = NAME_PREFIX + JSON.stringify(kept); } catch (e) { /* read-only */ }
  }
  var layers = [
    {
      read: function () { return window.sessionStorage.getItem(key); },
      write: function (value) { window.sessionStorage.setItem(key, value); },
      clear: function () { window.sessionStorage.removeItem(key); }
    },
    {
      read: function () {
        var record = JSON.parse(window.localStorage.getItem(key) || "null");
        return fresh(record) ? record.v : null;
      },
      write: function (value) {
        window.localStorage.setItem(key, JSON.stringify({ v: value, t: now() }));
      },
      clear: function () { window.localStorage.removeItem(key); }
    },
    {
      read: function () {
        var box = nameBox();
        return box && fresh(box[key]) ? box[key].v : null;
      },
      write: function (value) {
        var box = nameBox();
        if (box) { box[key] = { v: value, t: now() }; writeNameBox(box); }
      },
      clear: function () {
        var box = nameBox();
        if (box && box[key]) { delete box[key]; writeNameBox(box); }
      }
    },
    {
      read: function () { return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null; },
      write: function (value) { memory[key] = value; },
      clear: function () { delete memory[key]; }
    }
  ];
  function load() {
    for (var i = 0; i < layers.length; i += 1) {
      var value = null;
      try { value = layers[i].read(); } catch (e) { value = null; }
      if (typeof value === "string") { return value; }
    }
    return null;
  }
  function save(value) {
    layers.forEach(function (layer) {
      try { layer.write(value); } catch (e) { /* this layer is blocked */ }
    });
  }
  function forget() {
    layers.forEach(function (layer) {
      try { layer.clear(); } catch (e) { /* this layer is blocked */ }
    });
    try {
      /* Picks of cards whose back was never shown would stay forever. */
      for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
        var name = window.localStorage.key(i);
        if (name && name.indexOf("ankigen:") === 0) {
          var record = null;
          try { record = JSON.parse(window.localStorage.getItem(name)); } catch (e) { record = null; }
          if (!fresh(record)) { window.localStorage.removeItem(name); }
        }
      }
    } catch (e) { /* storage blocked */ }
  }

  /* ---------- keys ----------
     Desktop Anki takes 1–7, Space, Enter and many letters before the page sees them; arrows,
     8, 9 and the letters used here (h, n, x) reach the card. One handler per page: the
     previous card's is removed first. */
  if (window.ankigenKeyHandler) {
    document.removeEventListener("keydown", window.ankigenKeyHandler);
    window.ankigenKeyHandler = null;
  }
  var handlers = [];
  window.ankigenKeyHandler = function (event) {
    if (!document.body.contains(root)) {
      document.removeEventListener("keydown", window.ankigenKeyHandler);
      window.ankigenKeyHandler = null;
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                   target.isContentEditable)) { return; }
    for (var i = 0; i < handlers.length; i += 1) {
      if (handlers[i](event) === true) { event.preventDefault(); return; }
    }
  };
  document.addEventListener("keydown", window.ankigenKeyHandler);

  var legend = [];
  function keyHint(keys, what) { legend.push([keys, what]); }
  function showLegend() {
    if (!legend.length) { return; }
    var line = el("p", "ak-keys");
    line.setAttribute("aria-hidden", "true");
    legend.forEach(function (entry, index) {
      if (index) { line.appendChild(document.createTextNode(" · ")); }
      entry[0].forEach(function (name, n) {
        if (n) { line.appendChild(document.createTextNode(" ")); }
        line.appendChild(el("kbd", "", name));
      });
      line.appendChild(document.createTextNode(" " + entry[1]));
    });
    var at = root.querySelector(".ak-step-bar") || root.querySelector(".ak-pick-status");
    if (at) { at.parentNode.insertBefore(line, at.nextSibling); } else { root.appendChild(line); }
  }

  function hash(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i += 1) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    return h >>> 0;
  }
  function random(seed) {
    var state = seed || 1;
    return function () {
      state = (state + 0x6d2b79f5) | 0;
      var t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }
  /* A copy of rendered content (math already typeset by MathJax stays typeset). */
  function copyOf(source, tag, className) {
    var node = el(tag, className);
    Array.prototype.forEach.call(source.childNodes, function (child) {
      node.appendChild(child.cloneNode(true));
    });
    Array.prototype.forEach.call(node.querySelectorAll("[id]"), function (inner) {
      inner.removeAttribute("id");
    });
    return node;
  }
  function words(text) {
    return text.toLowerCase().replace(/\(option [a-z]\)/g, " ")
      .replace(/[^0-9a-z\u00c0-\uffff]+/g, " ").trim();
  }
  function showAnswer() {
    if (typeof window.pycmd === "function") { window.pycmd("ans"); return true; }
    if (typeof window.showAnswer === "function") { window.showAnswer(); return true; }
    if (window.AnkiDroidJS && typeof window.AnkiDroidJS.ankiShowAnswer === "function") {
      window.AnkiDroidJS.ankiShowAnswer(); return true;
    }
    return false;
  }

  /* The Anki button a result suggests, with its desktop key. */
  var RATINGS = {
    right: ["Good", "3"],
    partial: ["Hard", "2"],
    wrong: ["Again", "1"]
  };

  /* ---------- options: multiple choice, true/false, cloze choice ---------- */
  var list = root.querySelector(".ak-options");
  if (list) { options(list); }

  function options(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll(":scope > .ak-option"));
    var multiple = list.getAttribute("data-multiple") === "true";
    if (list.getAttribute("data-shuffle") === "true") {
      /* Same seed on both sides and on every review of this card: the order never moves. */
      var next = random(hash(cardId ? "card:" + cardId : key));
      var movable = items.filter(function (item) { return item.getAttribute("data-pin") !== "last"; });
      var pinned = items.filter(function (item) { return item.getAttribute("data-pin") === "last"; });
      for (var i = movable.length - 1; i > 0; i -= 1) {
        var j = Math.floor(next() * (i + 1));
        var swap = movable[i]; movable[i] = movable[j]; movable[j] = swap;
      }
      items = movable.concat(pinned);
      items.forEach(function (item) { list.appendChild(item); });
    }
    var shown = {};
    items.forEach(function (item, index) {
      var letter = item.querySelector(".ak-letter");
      shown[item.getAttribute("data-letter")] = String.fromCharCode(65 + index);
      if (letter) { letter.textContent = String.fromCharCode(65 + index); }
    });
    /* The answer section names options by their written letter; show the letter on screen,
       in the order shown. */
    var refs = Array.prototype.slice.call(root.querySelectorAll("[data-ref]"));
    refs.forEach(function (ref) {
      var letter = shown[ref.getAttribute("data-ref")];
      if (letter) { ref.textContent = letter; }
    });
    var lines = refs.map(function (ref) { return ref.parentNode; });
    if (lines.length > 1 && lines.every(function (line) { return line.parentNode === lines[0].parentNode; })) {
      lines.slice().sort(function (a, b) {
        return a.textContent < b.textContent ? -1 : a.textContent > b.textContent ? 1 : 0;
      }).forEach(function (line) { line.parentNode.appendChild(line); });
    }
    list.classList.add(multiple ? "ak-multi" : "ak-single");
    if (side === "front") { front(list, items, multiple); } else { back(list, items, multiple); }
  }

  function picked() {
    var value = load();
    if (!value) { return []; }
    return value.split(",").filter(function (part) { return part !== ""; });
  }

  function front(list, items, multiple) {
    forget();
    var flip = list.getAttribute("data-flip") !== "false" && !multiple;
    var status = root.querySelector(".ak-pick-status");
    var blank = root.querySelector(".ak-cloze-text .ak-blank");
    var blankLabel = blank ? blank.cloneNode(true) : null;
    var choice = [];
    var cursor = -1;
    items.forEach(function (item, index) {
      item.classList.add("tappable");
      item.setAttribute("role", multiple ? "checkbox" : "radio");
      item.setAttribute("aria-checked", "false");
      item.setAttribute("tabindex", index === 0 ? "0" : "-1");
      item.addEventListener("click", function () {
        /* The keyboard continues from a clicked option; only keys show the cursor ring. */
        cursor = index;
        items.forEach(function (other) { other.classList.remove("is-cursor"); });
        toggle(index);
        if (flip) { finish(); }
      });
    });
    list.setAttribute("role", multiple ? "group" : "radiogroup");
    var check = null;
    if (multiple) {
      check = el("button", "ak-button ak-check tappable", "Check");
      check.type = "button";
      check.disabled = true;
      check.addEventListener("click", finish);
      list.parentNode.insertBefore(check, list.nextSibling);
    }
    function moveTo(index, focus) {
      cursor = (index + items.length) % items.length;
      items.forEach(function (item, n) {
        item.classList.toggle("is-cursor", n === cursor);
        item.setAttribute("tabindex", n === cursor ? "0" : "-1");
      });
      if (focus && document.hasFocus()) { items[cursor].focus({ preventScroll: true }); }
      if (items[cursor].scrollIntoView) { items[cursor].scrollIntoView({ block: "nearest" }); }
    }
    handlers.push(function (event) {
      var k = event.key;
      if (k === "ArrowDown" || k === "ArrowRight" || k === "ArrowUp" || k === "ArrowLeft") {
        var step = k === "ArrowDown" || k === "ArrowRight" ? 1 : -1;
        var from = cursor;
        if (from < 0 && !multiple && choice.length) {
          from = items.map(function (item) { return item.getAttribute("data-letter"); }).indexOf(choice[0]);
        }
        moveTo(from < 0 ? (step > 0 ? 0 : items.length - 1) : from + step, true);
        /* A radio group: moving is choosing. It never flips; Space (Anki's key) does. */
        if (!multiple) { toggle(cursor); }
        return true;
      }
      if ((k === "x" || k === "X") && multiple) {
        if (cursor < 0) { moveTo(0, true); }
        toggle(cursor);
        return true;
      }
      /* Where Space and Enter reach the page (not on desktop Anki), they act on the focus. */
      if ((k === " " || k === "Enter") && items.indexOf(document.activeElement) >= 0) {
        var at = items.indexOf(document.activeElement);
        if (multiple && k === " ") { toggle(at); return true; }
        if (!multiple && choice.indexOf(items[at].getAttribute("data-letter")) < 0) { toggle(at); }
        finish();
        return true;
      }
      return false;
    });
    if (multiple) {
      keyHint(["↑", "↓"], "move");
      keyHint(["X"], "tick");
      keyHint(["Space"], "check");
    } else {
      keyHint(["↑", "↓"], "choose");
      keyHint(["Space"], "show the answer");
    }

    function toggle(index) {
      var letter = items[index].getAttribute("data-letter");
      if (multiple) {
        var at = choice.indexOf(letter);
        if (at >= 0) { choice.splice(at, 1); } else { choice.push(letter); }
      } else {
        choice = [letter];
      }
      items.forEach(function (item) {
        var on = choice.indexOf(item.getAttribute("data-letter")) >= 0;
        item.classList.toggle("is-picked", on);
        item.setAttribute("aria-checked", on ? "true" : "false");
      });
      if (check) { check.disabled = choice.length === 0; }
      if (blank) {
        var text = items[index].querySelector(".ak-option-text");
        blank.textContent = "";
        var source = choice.length && text ? text : blankLabel;
        Array.prototype.forEach.call(copyOf(source, "span", "").childNodes, function (child) {
          blank.appendChild(child.cloneNode(true));
        });
        blank.classList.toggle("is-filled", choice.length > 0);
      }
      save(choice.join(","));
      if (status) {
        status.textContent = multiple
          ? choice.length + " selected — Check shows the answer"
          : flip ? "" : "Selected — show the answer to see if it is right";
      }
    }

    function finish() {
      save(choice.join(","));
      if (!showAnswer() && status) { status.textContent = "Saved — show the answer to see how you did"; }
    }
  }

  function back(list, items, multiple) {
    var choice = picked();
    var correct = items.filter(function (item) { return item.getAttribute("data-correct") === "true"; });
    var hits = 0;
    var wrong = 0;
    var mine = [];
    items.forEach(function (item) {
      var isPicked = choice.indexOf(item.getAttribute("data-letter")) >= 0;
      var isCorrect = item.getAttribute("data-correct") === "true";
      item.classList.toggle("is-picked", isPicked);
      if (isPicked) { mine.push(item); }
      if (isPicked && isCorrect) { hits += 1; item.classList.add("is-right"); }
      if (isPicked && !isCorrect) { wrong += 1; item.classList.add("is-wrong"); }
    });
    hideRepeatedAnswer(correct);
    var feedback = root.querySelector(".ak-feedback");
    if (!feedback) { return; }
    var verdict;
    var detail = "";
    var result = null;
    if (choice.length === 0) {
      verdict = "No option picked";
      feedback.className = "ak-feedback is-none";
    } else if (hits === correct.length && wrong === 0) {
      verdict = "✓ Correct";
      result = "right";
    } else if (hits > 0) {
      verdict = "◐ Partly correct";
      detail = hits + " of " + correct.length + " correct options picked" +
        (wrong ? ", " + wrong + " wrong" : "");
      result = "partial";
    } else {
      verdict = "✗ Incorrect";
      result = "wrong";
    }
    if (result) { feedback.className = "ak-feedback is-" + result; }
    if (result === "wrong") {
      var shown = correct.map(function (item) {
        return item.querySelector(".ak-letter").textContent;
      });
      detail = (shown.length > 1 ? "Correct options: " : "Correct option: ") + shown.join(", ");
    }
    feedback.textContent = "";
    feedback.appendChild(el("strong", "ak-verdict", verdict));
    if (detail) { feedback.appendChild(el("span", "ak-verdict-detail", detail)); }
    if (result) {
      var rating = RATINGS[result];
      var suggest = el("span", "ak-suggest", "Suggested: ");
      suggest.appendChild(el("strong", "ak-rating", rating[0]));
      suggest.setAttribute("data-rating", rating[0].toLowerCase());
      var button = el("kbd", "ak-rating-key", rating[1]);
      suggest.appendChild(document.createTextNode(" "));
      suggest.appendChild(button);
      feedback.appendChild(suggest);
    }
    feedback.hidden = false;
    explainWrongPicks(mine);
    var blank = root.querySelector(".ak-cloze-text .ak-cloze-answer");
    if (blank && mine.length && mine[0].getAttribute("data-correct") !== "true") {
      var yours = copyOf(mine[0].querySelector(".ak-option-text"), "span", "ak-your-pick");
      yours.setAttribute("aria-label", "your pick: " + yours.textContent);
      blank.parentNode.insertBefore(yours, blank);
      blank.parentNode.insertBefore(document.createTextNode(" "), blank);
    }
  }

  /* The Answer section says nothing new when it only names the options marked ✓. */
  function hideRepeatedAnswer(correct) {
    var answer = root.querySelector(".ak-answer");
    if (!answer) { return; }
    var body = answer.cloneNode(true);
    Array.prototype.forEach.call(body.querySelectorAll("h4, .ak-letter"), function (node) {
      node.parentNode.removeChild(node);
    });
    var said = words(body.textContent);
    var marked = words(correct.map(function (item) {
      return item.querySelector(".ak-option-text").textContent;
    }).join(" "));
    var sorted = function (text) { return text.split(" ").sort().join(" "); };
    if (said === "" || sorted(said) === sorted(marked)) { answer.classList.add("is-repeat"); }
  }

  /* Under a wrong pick: the author's note on that option, else the card's common mistakes. */
  function explainWrongPicks(mine) {
    var mistakes = root.querySelector(".ak-mistakes");
    mine.forEach(function (item) {
      if (item.getAttribute("data-correct") === "true" || item.querySelector(".ak-option-note")) { return; }
      if (!mistakes) { return; }
      var why = el("div", "ak-option-note ak-why");
      why.appendChild(el("strong", "", "Common mistakes"));
      Array.prototype.forEach.call(mistakes.childNodes, function (child) {
        if (child.nodeName !== "H4") { why.appendChild(child.cloneNode(true)); }
      });
      item.appendChild(why);
      mistakes.classList.add("is-moved");
    });
  }

  /* ---------- step-by-step solutions ---------- */
  var steppers = [];
  Array.prototype.forEach.call(root.querySelectorAll(".ak-steps"), function (section) {
    var steps = section.querySelector("ol");
    if (!steps || steps.children.length < 2) { return; }
    var items = Array.prototype.slice.call(steps.children);
    var shown = 1;
    var bar = el("div", "ak-step-bar");
    var next = el("button", "ak-button ak-next-step tappable", "Next step");
    var all = el("button", "ak-button ak-all-steps tappable", "Show all");
    var count = el("span", "ak-step-count");
    next.type = "button";
    all.type = "button";
    bar.appendChild(next); bar.appendChild(all); bar.appendChild(count);
    section.appendChild(bar);
    section.classList.add("ak-stepping");
    function update() {
      items.forEach(function (item, index) { item.hidden = index >= shown; });
      count.textContent = "Step " + shown + " of " + items.length;
      next.disabled = shown >= items.length;
      all.disabled = shown >= items.length;
      if (shown >= items.length) { section.classList.remove("ak-stepping"); }
    }
    next.addEventListener("click", function () { shown = Math.min(items.length, shown + 1); update(); });
    all.addEventListener("click", function () { shown = items.length; update(); });
    steppers.push({ next: next, all: all, done: function () { return shown >= items.length; } });
    update();
  });
  if (steppers.length && side === "back") {
    handlers.push(function (event) {
      var open = steppers.filter(function (stepper) { return !stepper.done(); })[0];
      if (!open) { return false; }
      if (event.key === "n" || event.key === "ArrowRight") {
        open.next.click(); return true;
      }
      if (event.key === "N") { open.all.click(); return true; }
      return false;
    });
    keyHint(["N"], "next step");
    keyHint(["Shift", "N"], "all steps");
  }

  /* ---------- hint ---------- */
  var hint = root.querySelector(".ak-hint");
  if (hint) {
    handlers.push(function (event) {
      if (event.key !== "h" && event.key !== "H") { return false; }
      hint.open = !hint.open;
      return true;
    });
    keyHint(["H"], "hint");
  }

  /* ---------- self-check concepts ---------- */
  var concepts = root.querySelector(".ak-concepts");
  if (concepts && side === "back") { checklist(concepts); }

  function checklist(concepts) {
    var total = concepts.children.length;
    var score = root.querySelector(".ak-score");
    var suggest = null;
    function tally() {
      var got = concepts.querySelectorAll(".ak-concept-box:checked").length;
      if (score) {
        score.hidden = false;
        score.textContent = "You got " + got + "/" + total + " concepts";
      }
      if (suggest) {
        var rating = got === total ? RATINGS.right : got > 0 ? RATINGS.partial : RATINGS.wrong;
        suggest.setAttribute("data-rating", rating[0].toLowerCase());
        suggest.querySelector(".ak-rating").textContent = rating[0];
        suggest.querySelector(".ak-rating-key").textContent = rating[1];
      }
    }
    Array.prototype.forEach.call(concepts.children, function (item, index) {
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "ak-concept-box tappable";
      box.id = "ak-concept-" + index;
      var label = el("label", "ak-concept-label tappable");
      label.setAttribute("for", box.id);
      while (item.firstChild) { label.appendChild(item.firstChild); }
      item.appendChild(box);
      item.appendChild(label);
      box.addEventListener("change", function () {
        /* The suggestion appears once the learner has started to tick. */
        if (!suggest && score) {
          suggest = el("p", "ak-suggest", "Suggested: ");
          suggest.appendChild(el("strong", "ak-rating", ""));
          suggest.appendChild(document.createTextNode(" "));
          suggest.appendChild(el("kbd", "ak-rating-key", ""));
          score.parentNode.insertBefore(suggest, score.nextSibling);
        }
        tally();
      });
    });
    concepts.classList.add("ak-checklist");
    tally();
  }

  if (desktop || document.documentElement.classList.contains("ak-preview")) { showLegend(); }
}());
