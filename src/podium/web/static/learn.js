/* Podium Learn pages: draws the KPI trends, the scorecard totals, the exposure and a partner's
   history with ECharts from the JSON the page embeds (#learn-data, #partner-history), and
   downloads the report with a progress note (the "htmx-request" class on #report-progress,
   as htmx shows its indicators) instead of leaving the page silent while it is generated. */
(function () {
  "use strict";

  var STANDING = {excellent: "#15803d", good: "#65a30d", watch: "#d97706", poor: "#b91c1c"};
  var charts = [];

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function scale(unit) { return unit === "share" ? 100 : 1; }

  function suffix(unit, currency) {
    return {share: "%", days: " d", hours: " h", currency: " " + (currency || "")}[unit] || "";
  }

  function label(value, unit, currency) {
    if (value === null || value === undefined) { return "no data"; }
    var digits = unit === "currency" ? 0 : 1;
    return Number(value).toLocaleString("en", {maximumFractionDigits: digits, minimumFractionDigits: digits}) + suffix(unit, currency);
  }

  function make(el, option) {
    var chart = window.echarts.init(el, null, {renderer: "canvas"});
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function kpiChart(el, kpi, data) {
    var factor = scale(kpi.unit);
    var values = kpi.values.map(function (v) { return v === null ? null : v * factor; });
    var series = [{type: "line", name: kpi.title, data: values, connectNulls: false, symbolSize: 6,
                   showSymbol: true, showAllSymbol: true, itemStyle: {color: "#2563eb"}}];
    if (kpi.target !== null) {
      series[0].markLine = {symbol: "none", silent: true, lineStyle: {color: "#16a34a", type: "dashed"},
                            data: [{yAxis: kpi.target * factor, name: "target"}],
                            label: {formatter: "target", fontSize: 9}};
    }
    make(el, {
      title: {text: kpi.title, textStyle: {fontSize: 12, fontWeight: 600}, left: 0},
      grid: {left: 48, right: 12, top: 32, bottom: 24},
      tooltip: {trigger: "axis", valueFormatter: function (v) { return label(v, kpi.unit, data.currency); }},
      xAxis: {type: "category", data: data.periods, axisLabel: {fontSize: 8, interval: 0}},
      yAxis: {type: "value", scale: true, axisLabel: {fontSize: 9}},
      series: series
    });
  }

  function scorecardChart(el, cards) {
    var scored = cards.filter(function (c) { return c.total !== null; })
      .sort(function (a, b) { return a.total - b.total; });
    el.style.height = Math.max(120, 26 * scored.length + 50) + "px";
    make(el, {
      grid: {left: 150, right: 24, top: 8, bottom: 24},
      tooltip: {trigger: "item"},
      xAxis: {type: "value", min: 0, max: 100},
      yAxis: {type: "category", data: scored.map(function (c) { return c.name || c.partner; }),
              axisLabel: {fontSize: 10, width: 140, overflow: "truncate"}},
      series: [{type: "bar", data: scored.map(function (c) {
        return {value: Math.round(c.total * 10) / 10, itemStyle: {color: STANDING[c.standing] || "#94a3b8"}};
      }), label: {show: true, position: "right", fontSize: 9}}]
    });
  }

  function exposureChart(el, rows, currency) {
    var shown = rows.slice().reverse();
    el.style.height = Math.max(120, 26 * shown.length + 50) + "px";
    make(el, {
      grid: {left: 170, right: 30, top: 8, bottom: 24},
      tooltip: {trigger: "item", formatter: function (p) {
        var row = shown[p.dataIndex];
        return row.label + "<br>REI " + row.rei.toFixed(2) + "<br>" + label(row.impact, "currency", currency);
      }},
      xAxis: {type: "value", min: 0, max: 1, name: "REI", nameGap: 4},
      yAxis: {type: "category", data: shown.map(function (r) { return r.label; }),
              axisLabel: {fontSize: 10, width: 160, overflow: "truncate"}},
      series: [{type: "bar", data: shown.map(function (r) { return r.rei; }), itemStyle: {color: "#c2410c"}}]
    });
  }

  function historyChart(el, history) {
    make(el, {
      grid: {left: 40, right: 12, top: 16, bottom: 24},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: history.periods},
      yAxis: {type: "value", min: 0, max: 100},
      series: [{type: "line", data: history.totals, symbolSize: 7, showAllSymbol: true,
                itemStyle: {color: "#2563eb"}}]
    });
  }

  function draw() {
    if (!window.echarts) { return; }
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var data = json("learn-data");
    if (data) {
      var byKey = {};
      data.kpis.forEach(function (k) { byKey[k.key] = k; });
      document.querySelectorAll(".learn-chart[data-kpi]").forEach(function (el) {
        var kpi = byKey[el.getAttribute("data-kpi")];
        if (kpi) { kpiChart(el, kpi, data); }
      });
      var cards = document.getElementById("scorecard-chart");
      if (cards && data.scorecards.length) { scorecardChart(cards, data.scorecards); }
      var exposure = document.getElementById("exposure-chart");
      if (exposure && data.exposure.length) { exposureChart(exposure, data.exposure, data.currency); }
    }
    var history = json("partner-history");
    var el = document.getElementById("history-chart");
    if (history && el) { historyChart(el, history); }
  }

  function filename(response, fallback) {
    var found = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return found ? found[1] : fallback;
  }

  /* Fetch the report, show the indicator meanwhile, then hand the file to the browser. */
  function download(event) {
    var link = event.target.closest ? event.target.closest("a[data-report]") : null;
    if (!link || !window.fetch || !window.URL || !URL.createObjectURL) { return; }
    event.preventDefault();
    var note = document.getElementById("report-progress");
    if (note) {
      note.textContent = "Generating the report…";
      note.classList.remove("done");
      note.classList.add("htmx-request");
    }
    fetch(link.href, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("the server answered " + response.status); }
      return response.blob().then(function (blob) { return {blob: blob, name: filename(response, "report")}; });
    }).then(function (found) {
      var url = URL.createObjectURL(found.blob);
      var anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = found.name;
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      if (note) { note.textContent = "Report ready: " + found.name; }
    }).catch(function (error) {
      if (note) { note.textContent = "The report failed: " + error.message; }
    }).finally(function () {
      if (note) {
        note.classList.remove("htmx-request");
        note.classList.add("done");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  document.addEventListener("click", download);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
