/* ankigen preview: every card, grouped by deck, each in its own frame running the real templates;
   and a study mode: one card at a time, pick, flip, grade, with a session score. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pv-data").textContent);
  var decks = document.getElementById("pv-decks");
  var text = document.getElementById("pv-text");
  var kind = document.getElementById("pv-kind");
  var tag = document.getElementById("pv-tag");
  var theme = document.getElementById("pv-theme");
  var night = false;
  var frames = {};
  var flips = {};

  function node(tagName, className, content) {
    var element = document.createElement(tagName);
    if (className) { element.className = className; }
    if (content) { element.textContent = content; }
    return element;
  }
  function json(value) { return JSON.stringify(value).replace(/<\//g, "<\\/"); }
  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }

  function frameDoc(card, key) {
    return data.frame
      .replace("__CARD_CSS__", function () { return data.css; })
      .replace("__NIGHT__", night ? "nightMode night_mode" : "")
      .replace("__SCRIPT__", function () { return json(data.script); })
      .replace("__SIDES__", function () { return json({ front: card.front, back: card.back }); })
      .replace("__ID__", function () { return json(key || card.key); });
  }

  var kinds = {};
  var tags = {};
  var byDeck = {};
  data.cards.forEach(function (card) {
    kinds[card.noteType] = card.noteTypeLabel;
    card.tags.forEach(function (t) { tags[t] = true; });
    (byDeck[card.deck] = byDeck[card.deck] || []).push(card);
  });
  Object.keys(kinds).sort().forEach(function (k) {
    var option = node("option", "", kinds[k]); option.value = k; kind.appendChild(option);
  });
  Object.keys(tags).sort().forEach(function (t) {
    var option = node("option", "", t); option.value = t; tag.appendChild(option);
  });

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { load(entry.target); observer.unobserve(entry.target); }
    });
  }, { rootMargin: "400px" });

  function load(article) {
    var card = article.card;
    if (article.querySelector("iframe")) { return; }
    var frame = node("iframe", "pv-frame");
    frame.title = "Card " + card.id;
    /* A side asked for before the frame has loaded (a click on a card that just came into
       view) is shown once it has: a message to a frame still loading is lost. */
    frame.addEventListener("load", function () {
      frame.pvLoaded = true;
      if (frame.pvSide === "back") { frame.contentWindow.postMessage({ side: "back" }, "*"); }
    });
    frame.srcdoc = frameDoc(card);
    frames[card.key] = frame;
    article.appendChild(frame);
  }

  function setSide(card, side) {
    var frame = frames[card.key];
    if (!frame) { return; }
    frame.pvSide = side;
    if (frame.pvLoaded) { frame.contentWindow.postMessage({ side: side }, "*"); }
    var flip = flips[card.key];
    flip.setAttribute("data-side", side);
    flip.textContent = side === "back" ? "Show question" : "Show answer";
  }

  var all = [];
  Object.keys(byDeck).sort().forEach(function (deck) {
    var section = node("section", "pv-deck");
    section.appendChild(node("h2", "", deck));
    byDeck[deck].forEach(function (card) {
      var article = node("article", "pv-card");
      article.card = card;
      article.id = "card-" + card.key;
      var head = node("div", "pv-card-head");
      head.appendChild(node("span", "pv-kind", card.noteTypeLabel));
      head.appendChild(node("span", "pv-id", card.id));
      /* The lesson file and line: for the author, never on the card itself. */
      head.appendChild(node("span", "pv-source", card.source));
      var flip = node("button", "pv-flip", "Show answer");
      flip.type = "button";
      flips[card.key] = flip;
      flip.addEventListener("click", function () {
        load(article);
        setSide(card, flip.getAttribute("data-side") === "back" ? "front" : "back");
      });
      head.appendChild(flip);
      article.appendChild(head);
      section.appendChild(article);
      observer.observe(article);
      all.push(article);
    });
    decks.appendChild(section);
  });

  /* ---------- study mode ---------- */
  var study = {
    panel: document.getElementById("pv-study"),
    holder: document.getElementById("pv-study-card"),
    show: document.getElementById("pv-study-show"),
    grades: document.getElementById("pv-study-grades"),
    actions: document.getElementById("pv-study-actions"),
    progress: document.getElementById("pv-study-progress"),
    score: document.getElementById("pv-study-score"),
    done: document.getElementById("pv-study-done"),
    queue: [],
    total: 0,
    current: null,
    side: "front",
    frame: null,
    seen: {},
    tally: { right: 0, partial: 0, wrong: 0, again: 0, graded: 0 },
    verdict: ""
  };
  var STUDY_KEY = "pv-study-card";

  function studying() { return !study.panel.hidden; }

  function startStudy() {
    study.queue = all.filter(function (article) { return !article.hidden; })
      .map(function (article) { return article.card; });
    study.total = study.queue.length;
    study.seen = {};
    study.tally = { right: 0, partial: 0, wrong: 0, again: 0, graded: 0 };
    decks.hidden = true;
    document.getElementById("pv-empty").hidden = true;
    document.getElementById("pv-filters").hidden = true;
    study.panel.hidden = false;
    study.done.hidden = true;
    study.actions.hidden = false;
    nextCard();
  }
  function stopStudy() {
    study.panel.hidden = true;
    study.holder.textContent = "";
    study.frame = null;
    decks.hidden = false;
    document.getElementById("pv-filters").hidden = false;
    apply();
  }
  function scoreText() {
    var t = study.tally;
    return "✓ " + t.right + " · ◐ " + t.partial + " · ✗ " + t.wrong +
      (t.again ? " · " + plural(t.again, "card") + " again" : "");
  }
  function nextCard() {
    study.current = study.queue.shift() || null;
    study.score.textContent = scoreText();
    if (!study.current) {
      study.holder.textContent = "";
      study.frame = null;
      study.actions.hidden = true;
      study.progress.textContent = plural(study.total, "card") + " done";
      study.done.hidden = false;
      study.done.textContent = "Session done: " + plural(study.tally.graded, "answer") +
        " graded. " + scoreText();
      return;
    }
    study.progress.textContent = "Card " + (study.tally.graded + 1) + " · " +
      plural(study.queue.length + 1, "card") + " left";
    study.side = "front";
    study.verdict = "";
    study.show.hidden = false;
    study.grades.hidden = true;
    study.holder.textContent = "";
    var frame = node("iframe", "pv-frame");
    frame.title = "Card " + study.current.id;
    frame.srcdoc = frameDoc(study.current, STUDY_KEY);
    frame.addEventListener("load", function () { frame.contentWindow.focus(); });
    study.frame = frame;
    study.holder.appendChild(frame);
  }
  function flipStudy() {
    if (!study.frame || study.side !== "front") { return; }
    study.side = "back";
    study.frame.contentWindow.postMessage({ side: "back" }, "*");
    study.show.hidden = true;
    study.grades.hidden = false;
  }
  function grade(value) {
    if (!study.current || study.side !== "back") { return; }
    var key = study.current.key;
    /* The score counts the first answer to each card, as a learner would. */
    if (!study.seen[key] && study.verdict) { study.tally[study.verdict] += 1; }
    study.seen[key] = true;
    study.tally.graded += 1;
    if (value === 1) { study.tally.again += 1; study.queue.push(study.current); }
    nextCard();
  }
  function suggest(verdict) {
    var wanted = { right: "3", partial: "2", wrong: "1" }[verdict];
    Array.prototype.forEach.call(study.grades.querySelectorAll("button"), function (button) {
      button.classList.toggle("is-suggested", button.getAttribute("data-grade") === wanted);
    });
  }

  document.getElementById("pv-study-start").addEventListener("click", startStudy);
  document.getElementById("pv-study-stop").addEventListener("click", stopStudy);
  study.show.addEventListener("click", flipStudy);
  Array.prototype.forEach.call(study.grades.querySelectorAll("button"), function (button) {
    button.addEventListener("click", function () { grade(Number(button.getAttribute("data-grade"))); });
  });
  document.addEventListener("keydown", function (event) {
    if (!studying() || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(event.target.tagName)) { return; }
    if ((event.key === " " || event.key === "Enter") && study.side === "front") {
      event.preventDefault(); flipStudy();
    } else if (/^[1-4]$/.test(event.key) && study.side === "back") {
      event.preventDefault(); grade(Number(event.key));
    }
  });

  window.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.ankigenPreview === STUDY_KEY) {
      if (message.flip) { flipStudy(); }
      if (message.grade) { grade(message.grade); }
      if (message.side === "back" && message.verdict) {
        study.verdict = message.verdict;
        suggest(message.verdict);
      }
      if (study.frame && message.height) {
        study.frame.style.height = Math.ceil(message.height) + "px";
      }
      return;
    }
    var frame = frames[message.ankigenPreview];
    if (!frame) { return; }
    if (message.height) { frame.style.height = Math.ceil(message.height) + "px"; }
    /* A pick that shows the answer (or Check) flips the card in the list too. */
    if (message.flip) {
      var card = data.cards.filter(function (c) { return c.key === message.ankigenPreview; })[0];
      if (card) { setSide(card, "back"); }
    }
  });

  function apply() {
    var needle = text.value.trim().toLowerCase();
    var shown = 0;
    var shownDecks = 0;
    Array.prototype.forEach.call(document.querySelectorAll(".pv-deck"), function (section) {
      var visible = 0;
      Array.prototype.forEach.call(section.querySelectorAll(".pv-card"), function (article) {
        var card = article.card;
        var ok = (!kind.value || card.noteType === kind.value) &&
          (!tag.value || card.tags.indexOf(tag.value) >= 0) &&
          (!needle || card.search.indexOf(needle) >= 0);
        article.hidden = !ok;
        if (ok) { visible += 1; }
      });
      section.hidden = visible === 0;
      shown += visible;
      if (visible) { shownDecks += 1; }
    });
    document.getElementById("pv-empty").hidden = shown > 0;
    document.getElementById("pv-study-start").disabled = shown === 0;
    document.getElementById("pv-summary").textContent =
      shown + " of " + plural(data.cards.length, "card") + " · " + plural(shownDecks, "deck");
  }
  [text, kind, tag].forEach(function (input) {
    input.addEventListener("input", apply);
    input.addEventListener("change", apply);
  });
  theme.addEventListener("click", function () {
    night = !night;
    document.documentElement.classList.toggle("pv-dark", night);
    theme.setAttribute("aria-pressed", night ? "true" : "false");
    theme.textContent = night ? "Light mode" : "Dark mode";
    Object.keys(frames).forEach(function (key) {
      frames[key].contentWindow.postMessage({ night: night }, "*");
    });
    if (study.frame) { study.frame.contentWindow.postMessage({ night: night }, "*"); }
  });
  apply();
}());
