/* Podium exposure view: colours the ecosystem map (drawn by map.js) by Risk Exposure Index from
   /ecosystems/{name}/exposure/rei.json, marks single points of failure and hidden sub-tier
   dependencies, adds a site's exposure to the detail panel, and reloads all of it when a run
   finishes (the "exposure-updated" event that the progress partial triggers). */
(function () {
  "use strict";

  var NEUTRAL = "#e2e8f0";
  var UNTESTED = "#cbd5e1";
  var STOPS = [[0, [226, 232, 240]], [0.3, [253, 230, 138]], [0.65, [249, 115, 22]], [1, [185, 28, 28]]];
  var exposure = null;

  function hex(rgb) {
    return "#" + rgb.map(function (c) { return Math.round(c).toString(16).padStart(2, "0"); }).join("");
  }

  /* The colour of a 0..1 share of the highest REI on the neutral-to-red ramp. */
  function ramp(share) {
    var t = Math.max(0, Math.min(1, share));
    for (var i = 1; i < STOPS.length; i++) {
      if (t <= STOPS[i][0]) {
        var a = STOPS[i - 1], b = STOPS[i], f = (t - a[0]) / (b[0] - a[0]);
        return hex(a[1].map(function (c, j) { return c + f * (b[1][j] - c); }));
      }
    }
    return hex(STOPS[STOPS.length - 1][1]);
  }

  function format(value, digits) {
    return Number(value).toLocaleString("en", {minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0});
  }

  function addStyle(cy) {
    if (cy.scratch("exposureStyled")) { return; }
    cy.scratch("exposureStyled", true);
    cy.style()
      .selector("node").style({"background-color": UNTESTED})
      .selector("node[rei_color]").style({
        "background-color": "data(rei_color)",
        "width": "mapData(rei_share, 0, 1, 14, 28)", "height": "mapData(rei_share, 0, 1, 14, 28)"
      })
      .selector("node[role = 'orchestrator']").style({"border-width": 3, "border-color": "#0f172a"})
      .selector("node.spof").style({"border-width": 4, "border-color": "#7f1d1d", "border-style": "double"})
      .selector("node.hidden-subtier").style({
        "border-width": 3, "border-color": "#7c3aed", "border-style": "dashed"
      })
      .selector("node.spof.hidden-subtier").style({"border-color": "#7f1d1d", "border-style": "dashed"})
      .selector("node.top-risk").style({
        "min-zoomed-font-size": 0, "font-weight": "bold", "color": "#7f1d1d", "z-index": 5,
        "font-size": 10, "text-max-width": 140, "text-background-color": "#ffffff",
        "text-background-opacity": 0.85, "text-background-padding": 1
      })
      .selector("edge").style({"opacity": 0.35})
      .selector("edge.highlight").style({"opacity": 1})
      .selector(".faded").style({"opacity": 0.12})
      .selector("node:selected").style({"border-width": 4, "border-color": "#f59e0b", "border-style": "solid"})
      .update();
  }

  /* The marks of a node: its own, or those of the actor it belongs to. */
  function marksOf(data, node) {
    return (data.marks[node.id()] || []).concat(data.marks[node.data("actor")] || []);
  }

  function apply(cy, data) {
    exposure = data;
    addStyle(cy);
    var top = data.max > 0 ? data.max : 1;
    var worst = Object.keys(data.rei).sort(function (a, b) { return data.rei[b] - data.rei[a]; }).slice(0, 5);
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var id = node.id(), value = data.rei[id];
        node.removeClass("spof hidden-subtier top-risk");
        if (value === undefined) {
          node.removeData("rei rei_share rei_color");
        } else {
          var share = value / top;
          node.data({rei: value, rei_share: share, rei_color: value > 0 ? ramp(share) : NEUTRAL});
        }
        marksOf(data, node).forEach(function (mark) { node.addClass(mark.replace("_", "-")); });
        if (value > 0 && worst.indexOf(id) >= 0) { node.addClass("top-risk"); }
      });
    });
    document.getElementById("rei-max").textContent = data.run ? format(data.max, 2) : "–";
    document.getElementById("rei-run").textContent = data.run
      ? "(stress test #" + data.run + ", by " + data.by + ")" : "(no stress test yet)";
    cy.container().dataset.exposureRun = data.run || "";
    if (cy.$("node:selected").empty()) { showHotspots(cy, data); }
  }

  /* The side panel before a node is chosen: the most exposed sites, each a link to its node. */
  function showHotspots(cy, data) {
    var panel = document.getElementById("node-details");
    var ids = Object.keys(data.rei).filter(function (id) {
      return data.rei[id] > 0 && cy.getElementById(id).nonempty();
    }).sort(function (a, b) { return data.rei[b] - data.rei[a]; }).slice(0, 10);
    if (ids.length === 0) { return; }
    var list = el("ol", {"class": "hotspots"});
    ids.forEach(function (id) {
      var node = cy.getElementById(id);
      var button = el("button", {type: "button", "class": "linklike"}, node.data("label") || id);
      button.addEventListener("click", function () { node.emit("tap"); });
      var chip = el("span", {"class": "rei-chip" + (data.rei[id] / (data.max || 1) >= 0.6 ? " hot" : "")},
        format(data.rei[id], 2));
      chip.style.setProperty("--rei", String(data.rei[id] / (data.max || 1)));
      var item = el("li", {});
      item.append(chip, " ", button);
      var marks = marksOf(data, node);
      if (marks.length) {
        item.append(el("span", {"class": "muted small"}, " · " + marks.map(function (m) {
          return m === "spof" ? "SPOF" : "hidden sub-tier";
        }).join(", ")));
      }
      list.appendChild(item);
    });
    panel.replaceChildren(
      el("h2", {}, "Most exposed sites"),
      el("p", {"class": "muted small"}, "By the REI of the worst scenario each site is in. " +
        "Click one, a site on the map or a row below for its details."),
      list
    );
  }

  function load(cy) {
    var url = cy.container().dataset.exposure;
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("exposure could not be loaded (" + response.status + ")"); }
        return response.json();
      })
      .then(function (data) { apply(cy, data); })
      .catch(function (error) {
        var note = document.getElementById("map-note");
        note.textContent = "Sorry: " + error.message + ".";
        note.hidden = false;
      });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* Put the node's REI, worst scenario and findings at the top of the detail panel. */
  function showExposure(node) {
    if (!exposure) { return; }
    var panel = document.getElementById("node-details");
    var id = node.id(), box = el("div", {"class": "node-exposure"});
    box.appendChild(el("h3", {}, "Exposure"));
    var list = el("dl", {"class": "details"});
    if (exposure.rei[id] !== undefined) {
      list.appendChild(el("dt", {}, "Risk Exposure Index"));
      list.appendChild(el("dd", {"class": "rei-value"}, format(exposure.rei[id], 2)));
      var worst = exposure.worst[id];
      if (worst) {
        list.appendChild(el("dt", {}, "Worst scenario"));
        list.appendChild(el("dd", {}, worst.label));
        list.appendChild(el("dt", {}, "Performance impact"));
        list.appendChild(el("dd", {}, exposure.currency + " " + format(worst.pi)));
        list.appendChild(el("dt", {}, "TTR / TTS"));
        list.appendChild(el("dd", {}, format(worst.ttr) + " d / " +
          (worst.tts_limited ? format(worst.tts) + " d" : "not limiting")));
      }
    } else {
      list.appendChild(el("dt", {}, "Risk Exposure Index"));
      list.appendChild(el("dd", {}, exposure.run ? "not stress-tested" : "no stress test yet"));
    }
    box.appendChild(list);
    var notes = (exposure.findings[id] || []).concat(exposure.findings[node.data("actor")] || []);
    notes.forEach(function (text) {
      box.appendChild(el("p", {"class": "small"}, text));
    });
    var heading = panel.querySelector("h2 + p");
    panel.insertBefore(box, heading ? heading.nextSibling : panel.firstChild);
  }

  /* Clicking a top-risk row or a finding shows its sites (or its actor's sites) on the map. */
  function focusRow(cy, row) {
    var sites = (row.dataset.sites || "").split(" ").filter(Boolean);
    var nodes = cy.nodes().filter(function (n) {
      return sites.indexOf(n.id()) >= 0 || sites.indexOf(n.data("actor")) >= 0;
    });
    if (nodes.length === 0) { return; }
    if (nodes.length === 1) {
      nodes[0].emit("tap");  /* map.js selects it and shows its details, then showExposure */
    } else {
      cy.elements().unselect().removeClass("faded highlight");
      cy.elements().not(nodes.closedNeighborhood()).addClass("faded");
      nodes.closedNeighborhood().addClass("highlight");
    }
    cy.animate({fit: {eles: nodes.closedNeighborhood(), padding: 60}}, {duration: 300});
    document.getElementById("cy").scrollIntoView({behavior: "smooth", block: "center"});
  }

  function start(cy) {
    load(cy);
    cy.on("tap", "node", function (evt) { showExposure(evt.target); });
    document.body.addEventListener("exposure-updated", function () { load(cy); });
    document.addEventListener("click", function (evt) {
      var row = evt.target.closest && evt.target.closest("[data-sites]");
      if (row && evt.target.closest("a, button")) { return; }
      if (row) { focusRow(cy, row); }
    });
  }

  window.podiumExposure = {ramp: ramp, reload: function () { return window.podiumMap && load(window.podiumMap); }};
  if (window.podiumMap) {
    start(window.podiumMap);
  } else {
    document.addEventListener("podium:map-ready", function (evt) { start(evt.detail); });
  }
})();
