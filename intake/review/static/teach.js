// Teaching a form (templates/teach.html): each label-like line of the list
// drawn as a box over the rendered page (from /documents/{id}/teach/labels.json);
// a click on a box picks that line in the list and focuses its select, and a
// line given a field is marked on the page too. The list works without this
// script. No inline script (CSP); positions set through the CSSOM as
// fractions of the page.
"use strict";
(function () {
  var form = document.getElementById("teach-form");
  if (!form) { return; }
  var status = document.getElementById("teach-status");
  var figures = Array.prototype.slice.call(document.querySelectorAll("section.original figure.page"));
  if (!figures.length) { return; }
  var layers = figures.map(function (fig) {
    var img = fig.querySelector("img");
    if (!img) { return null; }
    var frame = document.createElement("div");
    frame.className = "tbox-frame";
    img.parentNode.insertBefore(frame, img);
    frame.appendChild(img);
    var layer = document.createElement("div");
    layer.className = "tbox-layer";
    frame.appendChild(layer);
    return layer;
  });
  var boxes = {};

  function say(text) { if (status) { status.textContent = text; } }

  function labelOf(n) {
    var lab = document.querySelector("label[for='pick-" + n + "']");
    return lab ? lab.textContent : "";
  }

  function mark(n) {
    var sel = document.getElementById("pick-" + n);
    var box = boxes[n];
    var row = document.getElementById("line-" + n);
    var picked = sel && sel.value !== "";
    if (row) { row.classList.toggle("picked", picked); }
    if (!box) { return; }
    box.classList.toggle("picked", picked);
    var field = picked ? sel.options[sel.selectedIndex].textContent : "";
    box.setAttribute("data-field", field);
    box.title = picked ? labelOf(n) + ": " + field : labelOf(n);
  }

  function pick(n) {
    Array.prototype.forEach.call(document.querySelectorAll(".teach-lines tr.current"), function (r) {
      r.classList.remove("current");
    });
    var row = document.getElementById("line-" + n);
    var sel = document.getElementById("pick-" + n);
    if (!row || !sel) { return; }
    row.classList.add("current");
    row.scrollIntoView({block: "center"});
    sel.focus();
    say("Choose the field for “" + labelOf(n) + "” in the list.");
  }

  form.addEventListener("change", function (ev) {
    var m = /^pick-(\d+)$/.exec(ev.target.id || "");
    if (m) { mark(m[1]); }
  });

  var url = form.getAttribute("data-boxes");
  say("Finding the labels on the page…");
  fetch(url, {credentials: "same-origin"}).then(function (r) {
    if (!r.ok) { throw new Error("status " + r.status); }
    return r.json();
  }).then(function (data) {
    (data.boxes || []).forEach(function (b) {
      var layer = layers[b.page - 1];
      if (!layer || !document.getElementById("pick-" + b.n)) { return; }
      // A pointer shortcut only: the list beside the page is the same
      // choice for the keyboard and screen readers, so the box is hidden
      // from them and takes no focus.
      var el = document.createElement("div");
      el.className = "tbox";
      el.setAttribute("aria-hidden", "true");
      el.setAttribute("data-n", String(b.n));
      el.style.left = (b.x * 100) + "%";
      el.style.top = (b.y * 100) + "%";
      el.style.width = (b.w * 100) + "%";
      el.style.height = (b.h * 100) + "%";
      el.addEventListener("click", function () { pick(b.n); });
      layer.appendChild(el);
      boxes[b.n] = el;
      mark(b.n);
    });
    var n = Object.keys(boxes).length;
    form.classList.add("boxes-ready");
    say(data.error || (n ? n + " labels marked on the page: click one to pick it in the list."
                         : "No label could be placed on the page; pick them from the list."));
  }).catch(function () {
    say("The labels could not be placed on the page; pick them from the list.");
  });
})();
