/* Podium ecosystem map: draws the elements of /ecosystems/{name}/map.json with Cytoscape.js,
   shows a node's details and links in the side panel. Exposes the graph as window.podiumMap and
   announces it with a "podium:map-ready" event on document (detail: the graph). */
(function () {
  "use strict";

  var LABELS = {
    type: "Type", kind: "Kind", actor_name: "Actor", actor_kind: "Actor kind", role: "Ecosystem role",
    tier: "Supply tier", region: "Region", country: "Country", city: "City"
  };
  var LINK_FIELDS = {
    item: "Item", share: "Share", capacity_per_day: "Capacity / day", lead_time_days: "Lead time (days)",
    ttr_days: "Time to recover (days)", spend_per_year: "Spend / year"
  };

  function human(value) {
    if (value === null || value === undefined || value === "") { return "–"; }
    if (typeof value === "number") { return value.toLocaleString("en", {maximumFractionDigits: 2}); }
    var text = String(value).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function definitions(data, labels) {
    var list = el("dl", {"class": "details"});
    Object.keys(labels).forEach(function (key) {
      if (data[key] === null || data[key] === undefined || data[key] === "") { return; }
      var shown = key === "actor_name" || key === "city" || key === "region" || key === "country"
        ? String(data[key]) : human(data[key]);
      list.appendChild(el("dt", {}, [labels[key]]));
      list.appendChild(el("dd", {}, [shown]));
    });
    return list;
  }

  function linkItem(cy, edge, node) {
    var d = edge.data();
    var outgoing = d.source === node.id();
    var other = cy.getElementById(outgoing ? d.target : d.source);
    var button = el("button", {type: "button", "class": "linklike"}, [other.data("label") || other.id()]);
    button.addEventListener("click", function () { select(cy, other); });
    var extra = [d.item ? "item " + d.item : "", d.ttr_days != null ? "TTR " + human(d.ttr_days) + " d" : ""]
      .filter(Boolean).join(" · ");
    return el("li", {}, [
      el("span", {"class": "line", style: "border-top: 3px " + d.style + " " + d.color}, []),
      el("span", {"class": "kind"}, [human(d.kind)]), " ", outgoing ? "→ " : "← ", button,
      extra ? el("span", {"class": "muted small"}, [" " + extra]) : ""
    ]);
  }

  function showNode(cy, node) {
    var panel = document.getElementById("node-details");
    var d = node.data();
    panel.replaceChildren(
      el("h2", {}, [d.label]),
      el("p", {"class": "muted mono small"}, [d.id]),
      definitions(d, LABELS)
    );
    var groups = [["Serves", node.outgoers("edge")], ["Depends on", node.incomers("edge")]];
    groups.forEach(function (group) {
      if (group[1].length === 0) { return; }
      var list = el("ul", {"class": "links"}, []);
      group[1].forEach(function (edge) { list.appendChild(linkItem(cy, edge, node)); });
      panel.appendChild(el("h3", {}, [group[0] + " (" + group[1].length + ")"]));
      panel.appendChild(list);
    });
    if (node.connectedEdges().length === 0) {
      panel.appendChild(el("p", {"class": "muted"}, ["No links shown for this node."]));
    }
  }

  function showEdge(cy, edge) {
    var d = edge.data();
    var panel = document.getElementById("node-details");
    var from = cy.getElementById(d.source), to = cy.getElementById(d.target);
    panel.replaceChildren(
      el("h2", {}, [human(d.kind) + " link"]),
      el("p", {"class": "muted mono small"}, [d.key]),
      el("p", {}, [from.data("label") + " → " + to.data("label")]),
      definitions(d, LINK_FIELDS)
    );
  }

  function select(cy, node) {
    cy.elements().unselect().removeClass("faded highlight");
    node.select();
    var hood = node.closedNeighborhood();
    cy.elements().not(hood).addClass("faded");
    hood.addClass("highlight");
    showNode(cy, node);
  }

  function style(dense) {
    return [
      {selector: "node", style: {
        "background-color": "data(color)", "width": 16, "height": 16, "label": "data(label)",
        "font-size": 8, "color": "#334155", "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "ellipsis", "text-max-width": dense ? 52 : 120, "min-zoomed-font-size": 7,
        "border-width": 1, "border-color": "#ffffff"
      }},
      {selector: "node[type = 'actor']", style: {"shape": "round-rectangle", "width": 20, "height": 20}},
      {selector: "node[role = 'orchestrator']", style: {
        "border-width": 3, "border-color": "#0f172a", "width": 24, "height": 24, "font-weight": "bold"
      }},
      {selector: "node:selected", style: {"border-width": 4, "border-color": "#f59e0b"}},
      {selector: "edge", style: {
        "width": 1.2, "line-color": "data(color)", "line-style": "data(style)", "curve-style": "straight",
        "target-arrow-shape": "triangle", "target-arrow-color": "data(color)", "arrow-scale": 0.6,
        "opacity": 0.75
      }},
      {selector: ".faded", style: {"opacity": 0.12}},
      {selector: "edge.highlight", style: {"width": 2.5, "opacity": 1}},
      {selector: "node.highlight, node.hover", style: {
        "min-zoomed-font-size": 0, "text-max-width": 160, "z-index": 10, "font-size": 9,
        "text-background-color": "#ffffff", "text-background-opacity": 0.9,
        "text-background-padding": 1
      }}
    ];
  }

  function draw(container, payload) {
    var big = payload.shown_nodes > 1200;
    var cy = cytoscape({
      container: container, elements: payload.elements, style: style(payload.shown_nodes > 40),
      layout: {name: "preset", fit: true, padding: 30},
      minZoom: 0.05, maxZoom: 4,
      hideEdgesOnViewport: big, textureOnViewport: big, boxSelectionEnabled: false
    });
    cy.on("tap", "node", function (evt) { select(cy, evt.target); });
    cy.on("tap", "edge", function (evt) { showEdge(cy, evt.target); });
    cy.on("mouseover", "node", function (evt) { evt.target.addClass("hover"); });
    cy.on("mouseout", "node", function (evt) { evt.target.removeClass("hover"); });
    cy.on("tap", function (evt) {
      if (evt.target === cy) { cy.elements().removeClass("faded highlight"); }
    });
    document.getElementById("map-fit").addEventListener("click", function () { cy.fit(undefined, 30); });
    return cy;
  }

  function showBands(cy, frame, bands) {
    var labels = bands.map(function (band) {
      var label = el("div", {"class": "band-label"}, [band.label]);
      frame.appendChild(label);
      return label;
    });
    function place() {
      var zoom = cy.zoom(), pan = cy.pan(), crowded = false;
      var xs = bands.map(function (band) { return band.x * zoom + pan.x; });
      for (var i = 1; i < xs.length; i++) { crowded = crowded || xs[i] - xs[i - 1] < 90; }
      labels.forEach(function (label, j) {
        label.hidden = crowded;
        label.style.left = xs[j] + "px";
      });
    }
    cy.on("viewport", place);
    place();
  }

  function start() {
    var container = document.getElementById("cy");
    var status = document.getElementById("map-status");
    if (!container || typeof cytoscape === "undefined") { return; }
    fetch(container.dataset.src, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("the map could not be loaded (" + response.status + ")"); }
        return response.json();
      })
      .then(function (payload) {
        var note = document.getElementById("map-note");
        if (payload.note) { note.textContent = payload.note; note.hidden = false; }
        if (payload.shown_nodes === 0) {
          status.textContent = "Nothing matches these filters.";
          return;
        }
        status.hidden = true;
        var cy = draw(container, payload);
        showBands(cy, container.parentNode, payload.bands || []);
        window.podiumMap = cy;
        document.dispatchEvent(new CustomEvent("podium:map-ready", {detail: cy}));
      })
      .catch(function (error) { status.textContent = "Sorry: " + error.message + "."; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
