/* What a learner sees, measured in the page: every visible text's (and typed text's) contrast
   against the colour actually drawn behind it (WCAG 2 relative luminance, alpha and opacity
   composited), sideways scrolling, and whether an element is inside the viewport. Defines
   window.ankigenAudit. */
(function () {
  "use strict";
  if (window.ankigenAudit) { return; }

  function parse(value) {
    var match = /rgba?\(([^)]*)\)/.exec(value || "");
    if (!match) { return null; }
    var parts = match[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function over(top, bottom) {
    var a = top.a + bottom.a * (1 - top.a);
    if (a === 0) { return { r: 0, g: 0, b: 0, a: 0 }; }
    function mix(key) { return (top[key] * top.a + bottom[key] * bottom.a * (1 - top.a)) / a; }
    return { r: mix("r"), g: mix("g"), b: mix("b"), a: a };
  }
  function luminance(c) {
    function channel(v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  }
  function ratio(a, b) {
    var x = luminance(a);
    var y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function hex(c) {
    return "#" + [c.r, c.g, c.b].map(function (v) {
      return ("0" + Math.round(v).toString(16)).slice(-2);
    }).join("");
  }
  /* The colour behind an element: its own background and every ancestor's, composited. */
  function backdrop(element) {
    var layers = [];
    for (var node = element; node && node.nodeType === 1; node = node.parentElement) {
      var colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) { break; }
      }
    }
    var result = { r: 255, g: 255, b: 255, a: 1 };
    for (var i = layers.length - 1; i >= 0; i -= 1) { result = over(layers[i], result); }
    return result;
  }
  function opacity(element) {
    var value = 1;
    for (var node = element; node && node.nodeType === 1; node = node.parentElement) {
      value *= parseFloat(getComputedStyle(node).opacity);
    }
    return value;
  }
  function describe(element) {
    var parts = [];
    for (var node = element; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      parts.unshift(node.tagName.toLowerCase() + (node.className && typeof node.className === "string"
        ? "." + node.className.trim().split(/\s+/).join(".") : ""));
    }
    return parts.join(" > ");
  }
  function disabled(element) {
    return Boolean(element.closest("button:disabled, [aria-disabled='true']"));
  }
  function check(element, colourValue, text, results) {
    var fg = parse(colourValue);
    if (!fg) { return; }
    fg.a *= opacity(element);
    var bg = backdrop(element);
    var drawn = over(fg, bg);
    results.push({
      text: text.trim().slice(0, 60),
      ratio: Math.round(ratio(drawn, bg) * 100) / 100,
      fg: hex(drawn),
      bg: hex(bg),
      where: describe(element)
    });
  }

  function contrast(scope) {
    var results = [];
    var walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    var range = document.createRange();
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.nodeValue.trim()) { continue; }
      var element = node.parentElement;
      if (!element || disabled(element)) { continue; }
      var style = getComputedStyle(element);
      if (style.visibility !== "visible") { continue; }
      range.selectNodeContents(node);
      var rects = Array.prototype.filter.call(range.getClientRects(), function (r) {
        return r.width >= 2 && r.height >= 2;
      });
      if (!rects.length) { continue; }
      /* Text clipped away for screen readers only (MathJax's assistive MathML) is not seen. */
      if (element.closest("mjx-assistive-mml")) { continue; }
      check(element, style.color, node.nodeValue, results);
    }
    /* What the learner typed is text too, drawn in the box's own colours. */
    Array.prototype.forEach.call(scope.querySelectorAll("input, textarea"), function (box) {
      if (!box.value || /^(checkbox|radio|hidden)$/.test(box.type)) { return; }
      var rect = box.getBoundingClientRect();
      if (rect.width < 2 || rect.height < 2 || getComputedStyle(box).visibility !== "visible") {
        return;
      }
      check(box, getComputedStyle(box).color, box.value, results);
    });
    Array.prototype.forEach.call(scope.querySelectorAll("*"), function (element) {
      ["::before", "::after"].forEach(function (pseudo) {
        var style = getComputedStyle(element, pseudo);
        var content = style.content;
        if (!content || content === "none" || content === "normal" || content === '""') { return; }
        if (style.display === "none" || style.visibility !== "visible") { return; }
        if (element.closest("mjx-assistive-mml") || disabled(element)) { return; }
        var rect = element.getBoundingClientRect();
        if (rect.width < 2 || rect.height < 2) { return; }
        if (getComputedStyle(element).visibility !== "visible") { return; }
        check(element, style.color, content.replace(/^"|"$/g, ""), results);
      });
    });
    return results;
  }

  window.ankigenAudit = function (selector) {
    var scope = document.querySelector(selector || "#qa") || document.body;
    var texts = contrast(scope);
    var lowest = texts.reduce(function (low, item) {
      return !low || item.ratio < low.ratio ? item : low;
    }, null);
    return {
      texts: texts.length,
      failures: texts.filter(function (item) { return item.ratio < 4.5; }),
      lowest: lowest,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth
    };
  };
  window.ankigenInView = function (selector) {
    var element = document.querySelector(selector);
    if (!element) { return null; }
    var rect = element.getBoundingClientRect();
    return rect.height > 0 && rect.top >= 0 && rect.bottom <= window.innerHeight;
  };
}());
