/* ankigen preview: every card, grouped by deck, each in its own frame running the real templates. */
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

  function node(tagName, className, content) {
    var element = document.createElement(tagName);
    if (className) { element.className = className; }
    if (content) { element.textContent = content; }
    return element;
  }
  function json(value) { return JSON.stringify(value).replace(/<\//g, "<\\/"); }

  function frameDoc(card) {
    return data.frame
      .replace("__CARD_CSS__", function () { return data.css; })
      .replace("__NIGHT__", night ? "nightMode night_mode" : "")
      .replace("__SCRIPT__", function () { return json(data.script); })
      .replace("__SIDES__", function () { return json({ front: card.front, back: card.back }); })
      .replace("__ID__", function () { return json(card.key); });
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
    frame.srcdoc = frameDoc(card);
    frames[card.key] = frame;
    article.appendChild(frame);
  }

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
      head.appendChild(node("span", "pv-source", card.source));
      var flip = node("button", "pv-flip", "Show answer");
      flip.type = "button";
      flip.addEventListener("click", function () {
        load(article);
        var showingBack = flip.getAttribute("data-side") === "back";
        var side = showingBack ? "front" : "back";
        frames[card.key].contentWindow.postMessage({ side: side }, "*");
        flip.setAttribute("data-side", side);
        flip.textContent = side === "back" ? "Show question" : "Show answer";
      });
      head.appendChild(flip);
      article.appendChild(head);
      section.appendChild(article);
      observer.observe(article);
    });
    decks.appendChild(section);
  });

  window.addEventListener("message", function (event) {
    var message = event.data || {};
    var frame = frames[message.ankigenPreview];
    if (frame && message.height) { frame.style.height = Math.ceil(message.height) + "px"; }
  });

  function apply() {
    var needle = text.value.trim().toLowerCase();
    var shown = 0;
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
    });
    document.getElementById("pv-empty").hidden = shown > 0;
    document.getElementById("pv-summary").textContent =
      shown + " of " + data.cards.length + " cards · " + Object.keys(byDeck).length + " decks";
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
  });
  apply();
}());
