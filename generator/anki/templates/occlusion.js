/* Image occlusion, answer side: put the asked region's name under its box (a small region
   cannot hold it) and repeat it as the answer. The cards work without this (the name shows
   inside the box); it runs once per side, as card.js does. */
(function () {
  "use strict";
  var root = document.querySelector(".ak-occlusion.ak-back");
  if (!root || root.getAttribute("data-ak-io") === "1") { return; }
  root.setAttribute("data-ak-io", "1");
  var asked = root.querySelector(".ak-io-region .cloze");
  var answer = root.querySelector(".ak-io-answer");
  if (!asked) { return; }
  var name = asked.textContent;
  var label = document.createElement("span");
  label.className = "ak-io-label";
  label.textContent = name;
  asked.parentNode.appendChild(label);
  asked.parentNode.classList.add("is-asked");
  root.classList.add("ak-io-js");
  if (answer) {
    var strong = document.createElement("strong");
    strong.textContent = name;
    answer.textContent = "";
    answer.appendChild(strong);
    answer.hidden = false;
  }
}());
