// Where each value came from: the boxes served by /documents/{id}/sources.json
// drawn over the page images, a "Show on the page" button per field, "go to
// the field" also showing the value's box, and page zoom. Loaded by
// templates/_source_boxes.html; no inline script (CSP), positions set through
// the CSSOM as fractions of the page, so they hold at every zoom.
"use strict";
(function () {
  var bar = document.getElementById("source-boxes");
  if (!bar) { return; }
  var panel = bar.closest("section.original") || document.body;
  var status = bar.querySelector(".sbox-status");
  var level = bar.querySelector(".sbox-zoom-level");
  var figures = Array.prototype.slice.call(panel.querySelectorAll("figure.page"));
  var frames = [];
  var byKey = {};
  var labels = {};
  var zoom = 1;
  var ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];

  function rowId(key) { return "f-" + key.replace(/\./g, "-"); }

  // Each page image gets a frame (position: relative) holding the image and
  // a layer for its boxes, so a box sits over the picture, never the caption.
  figures.forEach(function (fig) {
    var img = fig.querySelector("img");
    if (!img) { frames.push(null); return; }
    var frame = document.createElement("div");
    frame.className = "sbox-frame";
    img.parentNode.insertBefore(frame, img);
    frame.appendChild(img);
    var layer = document.createElement("div");
    layer.className = "sbox-layer";
    frame.appendChild(layer);
    frames.push(layer);
  });

  function setZoom(z) {
    zoom = z;
    panel.style.setProperty("--sbox-zoom", String(z));
    if (level) { level.textContent = Math.round(z * 100) + "%"; }
  }
  function step(dir) {
    var i = ZOOMS.indexOf(zoom);
    if (i < 0) { i = ZOOMS.indexOf(1); }
    setZoom(ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, i + dir))]);
  }
  bar.querySelector(".sbox-zoom-in").addEventListener("click", function () { step(1); });
  bar.querySelector(".sbox-zoom-out").addEventListener("click", function () { step(-1); });
  bar.querySelector(".sbox-zoom-reset").addEventListener("click", function () { setZoom(1); });

  function say(text) { if (status) { status.textContent = text; } }

  function show(key, scroll) {
    var boxes = byKey[key];
    Array.prototype.forEach.call(document.querySelectorAll(".sbox.active"), function (b) { b.classList.remove("active"); });
    Array.prototype.forEach.call(document.querySelectorAll("tr.sbox-current"), function (r) { r.classList.remove("sbox-current"); });
    var row = document.getElementById(rowId(key));
    if (row) { row.classList.add("sbox-current"); }
    if (!boxes || !boxes.length) {
      say((labels[key] || key) + ": not found on the page.");
      return;
    }
    boxes.forEach(function (b) { b.classList.add("active"); });
    if (scroll) { boxes[0].scrollIntoView({ block: "center", inline: "nearest" }); }
    say((labels[key] || key) + ": page " + boxes[0].getAttribute("data-page") + " (" + boxes[0].getAttribute("data-how") + ").");
  }

  function addButton(row, key, text, placed) {
    var where = row.querySelector(".where") || row.querySelector("td");
    if (!where) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link sbox-go";
    button.textContent = text;
    if (!placed) { button.disabled = true; }
    button.setAttribute("aria-label", text + ": " + (labels[key] || key));
    button.addEventListener("click", function () { show(key, true); });
    where.appendChild(document.createTextNode(" "));
    where.appendChild(button);
  }

  function draw(data) {
    (data.fields || []).forEach(function (f) {
      labels[f.key] = f.label;
      byKey[f.key] = [];
      f.boxes.forEach(function (b) {
        var layer = frames[b.page - 1];
        if (!layer) { return; }
        var el = document.createElement("div");
        el.className = "sbox";
        el.style.left = (b.x * 100) + "%";
        el.style.top = (b.y * 100) + "%";
        el.style.width = (b.w * 100) + "%";
        el.style.height = (b.h * 100) + "%";
        el.setAttribute("data-key", f.key);
        el.setAttribute("data-page", String(b.page));
        el.setAttribute("data-how", f.how);
        el.setAttribute("data-label", f.label);
        el.title = f.label + " (" + f.how + ")";
        el.addEventListener("click", function () {
          show(f.key, false);
          var row = document.getElementById(rowId(f.key));
          if (row) { row.scrollIntoView({ block: "center" }); }
        });
        layer.appendChild(el);
        byKey[f.key].push(el);
      });
      var row = document.getElementById(rowId(f.key));
      if (row && byKey[f.key].length) { addButton(row, f.key, "Show on page " + f.boxes[0].page, true); }
    });
    (data.unplaced || []).forEach(function (f) {
      labels[f.key] = f.label;
      var row = document.getElementById(rowId(f.key));
      if (row) { addButton(row, f.key, "Not found on the page", false); }
    });
    var n = (data.fields || []).length;
    say(data.error ? data.error : n + " value" + (n === 1 ? "" : "s") + " placed on the page" +
        ((data.unplaced || []).length ? "; " + data.unplaced.length + " not found (shown in words beside each)." : "."));
    bar.classList.add("ready");
    // "go to the field" (and a link to #f-… in the address) shows its box too.
    Array.prototype.forEach.call(document.querySelectorAll("a[href^='#f-']"), function (a) {
      a.addEventListener("click", function () { var k = keyOfRow(a.getAttribute("href").slice(1)); if (k) { show(k, true); } });
    });
    var k = keyOfRow(window.location.hash.slice(1));
    if (k) { show(k, true); }
  }

  function keyOfRow(id) {
    for (var key in labels) { if (rowId(key) === id) { return key; } }
    return null;
  }

  if (!bar.getAttribute("data-url") || !window.fetch) { return; }
  fetch(bar.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
    .then(draw)
    .catch(function () { say("Where the values are on the page could not be worked out."); });
})();
