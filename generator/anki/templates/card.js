/* ankigen card behaviour. Runs on every side of every card, many times per page on desktop
   Anki (one page per session) and once per page on AnkiDroid (a fresh page per side).
   Everything lives in this function: no globals but the store below, no listeners left on
   elements that outlive the side. Field text is only ever read from the DOM. */
(function () {
  "use strict";

  var root = document.querySelector(".ak[data-ak]");
  if (!root || root.getAttribute("data-ak-ready") === "1") { return; }
  root.setAttribute("data-ak-ready", "1");
  root.classList.add("ak-js");

  var noteId = root.getAttribute("data-note") || "";
  var side = root.classList.contains("ak-back") ? "back" : "front";
  var key = "ankigen:" + noteId + ":" + (root.getAttribute("data-card") || "");

  /* sessionStorage carries the pick from front to back on AnkiDroid; the window object is the
     fallback where storage is blocked, and suffices on desktop where the page stays. */
  var memory = window.ankigenMemory || (window.ankigenMemory = {});
  function load() {
    var value = null;
    try { value = window.sessionStorage.getItem(key); } catch (e) { value = null; }
    if (value === null && Object.prototype.hasOwnProperty.call(memory, key)) { value = memory[key]; }
    return value;
  }
  function save(value) {
    memory[key] = value;
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* storage blocked */ }
  }
  function forget() {
    delete memory[key];
    try { window.sessionStorage.removeItem(key); } catch (e) { /* storage blocked */ }
  }

  /* Desktop Anki keeps one page: a key handler from the previous card must not stay alive. */
  if (window.ankigenKeyHandler) {
    document.removeEventListener("keydown", window.ankigenKeyHandler);
    window.ankigenKeyHandler = null;
  }
  function onKeys(handler) {
    window.ankigenKeyHandler = function (event) {
      if (!document.body.contains(root)) {
        document.removeEventListener("keydown", window.ankigenKeyHandler);
        window.ankigenKeyHandler = null;
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
      handler(event);
    };
    document.addEventListener("keydown", window.ankigenKeyHandler);
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

  /* ---------- options: multiple choice, true/false, cloze choice ---------- */
  var list = root.querySelector(".ak-options");
  if (list) { options(list); }

  function options(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll(":scope > .ak-option"));
    var multiple = list.getAttribute("data-multiple") === "true";
    if (list.getAttribute("data-shuffle") === "true") {
      /* Same seed on both sides and on every review of this card: the order never moves. */
      var next = random(hash(key));
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
    /* The answer section names options by their written letter; show the letter on screen. */
    Array.prototype.forEach.call(root.querySelectorAll("[data-ref]"), function (ref) {
      var letter = shown[ref.getAttribute("data-ref")];
      if (letter) { ref.textContent = letter; }
    });
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
    var status = root.querySelector(".ak-pick-status");
    var blank = root.querySelector(".ak-cloze-text .ak-blank");
    var blankLabel = blank ? blank.textContent : "";
    var choice = [];
    items.forEach(function (item, index) {
      item.classList.add("tappable");
      item.setAttribute("role", multiple ? "checkbox" : "radio");
      item.setAttribute("aria-checked", "false");
      item.setAttribute("tabindex", "0");
      item.addEventListener("click", function () { toggle(index); });
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
    onKeys(function (event) {
      var number = parseInt(event.key, 10);
      if (number >= 1 && number <= items.length) { toggle(number - 1); event.preventDefault(); }
      else if ((event.key === " " || event.key === "Enter") && document.activeElement &&
               items.indexOf(document.activeElement) >= 0) {
        toggle(items.indexOf(document.activeElement)); event.preventDefault();
      }
    });

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
        blank.textContent = choice.length && text ? text.textContent : blankLabel;
        blank.classList.toggle("is-filled", choice.length > 0);
      }
      save(choice.join(","));
      if (status) {
        status.textContent = multiple
          ? choice.length + " selected — press Check, then show the answer"
          : "Selected — show the answer to check it";
      }
    }

    function finish() {
      save(choice.join(","));
      if (typeof window.pycmd === "function") { window.pycmd("ans"); }
      else if (typeof window.showAnswer === "function") { window.showAnswer(); }
      else if (status) { status.textContent = "Checked — show the answer to see how you did"; }
    }
  }

  function back(list, items, multiple) {
    var choice = picked();
    var correct = items.filter(function (item) { return item.getAttribute("data-correct") === "true"; });
    var hits = 0;
    var wrong = 0;
    items.forEach(function (item) {
      var isPicked = choice.indexOf(item.getAttribute("data-letter")) >= 0;
      var isCorrect = item.getAttribute("data-correct") === "true";
      item.classList.toggle("is-picked", isPicked);
      if (isPicked && isCorrect) { hits += 1; item.classList.add("is-right"); }
      if (isPicked && !isCorrect) { wrong += 1; item.classList.add("is-wrong"); }
    });
    var feedback = root.querySelector(".ak-feedback");
    if (!feedback) { return; }
    var verdict;
    var detail = "";
    if (choice.length === 0) {
      verdict = "No option picked";
      feedback.className = "ak-feedback is-none";
    } else if (hits === correct.length && wrong === 0) {
      verdict = "✓ Correct";
      feedback.className = "ak-feedback is-right";
    } else if (hits > 0) {
      verdict = "◐ Partly correct";
      detail = hits + " of " + correct.length + " correct options picked" +
        (wrong ? ", " + wrong + " wrong" : "");
      feedback.className = "ak-feedback is-partial";
    } else {
      verdict = "✗ Incorrect";
      feedback.className = "ak-feedback is-wrong";
    }
    if (choice.length && !(hits === correct.length && wrong === 0) && !detail) {
      var letters = correct.map(function (item) { return item.getAttribute("data-letter"); });
      var shown = correct.map(function (item) {
        return item.querySelector(".ak-letter").textContent;
      });
      detail = (letters.length > 1 ? "Correct options: " : "Correct option: ") + shown.join(", ");
    }
    feedback.textContent = "";
    feedback.appendChild(el("strong", "ak-verdict", verdict));
    if (detail) { feedback.appendChild(el("span", "ak-verdict-detail", detail)); }
    feedback.hidden = false;
    var blank = root.querySelector(".ak-cloze-text .ak-cloze-answer");
    if (blank && choice.length) {
      var mine = items.filter(function (item) {
        return choice.indexOf(item.getAttribute("data-letter")) >= 0;
      })[0];
      if (mine && mine.getAttribute("data-correct") !== "true") {
        var yours = el("del", "ak-your-pick", mine.querySelector(".ak-option-text").textContent);
        blank.parentNode.insertBefore(yours, blank);
        blank.parentNode.insertBefore(document.createTextNode(" "), blank);
      }
    }
  }

  /* ---------- step-by-step solutions ---------- */
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
    update();
    if (!list) {
      onKeys(function (event) {
        if (event.key === "n" || event.key === "ArrowRight") { next.click(); event.preventDefault(); }
        else if (event.key === "N") { all.click(); event.preventDefault(); }
      });
    }
  });

  /* ---------- self-check concepts ---------- */
  var concepts = root.querySelector(".ak-concepts");
  if (concepts && side === "back") {
    var total = concepts.children.length;
    var score = root.querySelector(".ak-score");
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
      box.addEventListener("change", tally);
    });
    concepts.classList.add("ak-checklist");
    function tally() {
      var got = concepts.querySelectorAll(".ak-concept-box:checked").length;
      if (score) {
        score.hidden = false;
        score.textContent = "You got " + got + "/" + total + " concepts";
      }
    }
    tally();
  }
}());
