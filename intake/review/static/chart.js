/* The link chart (templates/chart.html): fetch the graph the app serves at
   data-src and draw it with the vendored cytoscape.js; a click (or Enter on
   the list below) opens the entity's or report's page. No inline script:
   the CSP allows only the app's own files. */
(function () {
  "use strict";
  var COLOURS = {REPORT: "#6b6b6b", PERSON: "#1d70b8", ALIAS: "#5694ca", VRM: "#d4351c", VEHICLE: "#f47738",
    PHONE: "#00703c", EMAIL: "#85994b", SOCIAL_HANDLE: "#912b88", ADDRESS: "#b58840", POSTCODE: "#b58840",
    ORGANISATION: "#4c2c92", GANG: "#942514", LOCATION: "#28a197"};
  var SHAPES = {REPORT: "round-rectangle", PERSON: "ellipse", ALIAS: "ellipse", VRM: "hexagon", VEHICLE: "hexagon",
    PHONE: "diamond", EMAIL: "diamond", SOCIAL_HANDLE: "diamond", ORGANISATION: "rectangle", ADDRESS: "triangle",
    POSTCODE: "triangle", GANG: "star", LOCATION: "triangle"};

  function list(elements) {
    var ul = document.getElementById("chart-list");
    if (!ul) { return; }
    elements.filter(function (e) { return !e.data.source; }).forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = e.data.url;
      a.textContent = e.data.type + " " + e.data.label + (e.data.kind === "entity" ? " (" + e.data.reports + " reports)" : "");
      li.appendChild(a);
      ul.appendChild(li);
    });
  }

  function draw(box, data) {
    var status = document.getElementById("chart-status");
    var c = data.counts;
    status.textContent = c.entities + " entities, " + c.reports + " reports, " + c.links + " links" +
      (data.truncated ? " (cut short: narrow the filters or use fewer hops)" : "");
    if (!data.elements.length) { status.textContent = "Nothing to draw with these filters."; return; }
    list(data.elements);
    var cy = window.cytoscape({
      container: box,
      elements: data.elements,
      wheelSensitivity: 0.3,
      style: [
        {selector: "node", style: {
          "label": "data(label)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 2, "color": "#0b0c0c",
          "text-max-width": 90, "text-wrap": "ellipsis",
          "background-color": function (n) { return COLOURS[n.data("type")] || "#505a5f"; },
          "shape": function (n) { return SHAPES[n.data("type")] || "ellipse"; },
          "width": function (n) { return n.data("kind") === "report" ? 14 : 16 + Math.min(24, 3 * n.data("reports")); },
          "height": function (n) { return n.data("kind") === "report" ? 10 : 16 + Math.min(24, 3 * n.data("reports")); }}},
        {selector: "node[kind = 'report']", style: {"label": "", "opacity": 0.8}},
        {selector: "node[?seed]", style: {"border-width": 4, "border-color": "#ffdd00"}},
        {selector: "edge", style: {"width": function (e) { return Math.min(5, e.data("weight")); }, "line-color": "#b1b4b6",
          "curve-style": "haystack"}},
        {selector: "edge[kind != 'mentioned_in']", style: {"line-color": "#d4351c", "line-style": "dashed", "width": 2,
          "curve-style": "bezier"}},
        {selector: "node:selected", style: {"border-width": 3, "border-color": "#0b0c0c"}}
      ],
      layout: {name: "cose", animate: false, nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 40; },
        randomize: false, numIter: 1500}
    });
    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      if (url) { window.location.assign(url); }
    });
    cy.on("mouseover", "node", function (evt) { box.title = evt.target.data("type") + " " + evt.target.data("label"); });
    box.setAttribute("data-drawn", String(cy.nodes().length));
    window.intakeChart = cy;  // for the browser test and the curious analyst's console
  }

  function start() {
    var box = document.getElementById("chart");
    if (!box || !window.cytoscape) { return; }
    fetch(box.getAttribute("data-src"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) { draw(box, data); })
      .catch(function () { document.getElementById("chart-status").textContent = "The chart could not be loaded; reload the page."; });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
