/* Podium Align pages: the contract explorer's sliders (each mirrors its number field and
   re-evaluates on release) and its profit-split chart with the deal zone shaded, and the
   cost-sharing page's allocation chart, drawn with ECharts from the JSON the page embeds
   (#contract-data, #sharing-data). */
(function () {
  "use strict";

  var charts = [];
  var COLORS = {buyer: "#2563eb", supplier: "#d97706", chain: "#15803d", alone: "#94a3b8"};

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(v) {
    return v === null || v === undefined ? "–" : Number(v).toLocaleString("en", {maximumFractionDigits: 0});
  }

  function make(el, option) {
    var chart = window.echarts.init(el, null, {renderer: "canvas"});
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }

  function pairs(xs, ys) {
    return xs.map(function (x, i) { return [x, ys[i]]; });
  }

  function contractChart(el, data) {
    var line = function (name, ys, color, dashed) {
      return {type: "line", name: name, data: pairs(data.x, ys), showSymbol: false, connectNulls: false,
              lineStyle: {color: color, type: dashed ? "dashed" : "solid"}, itemStyle: {color: color}};
    };
    var series = [line("Buyer", data.buyer, COLORS.buyer), line("Supplier", data.supplier, COLORS.supplier),
                  line("Chain", data.chain, COLORS.chain)];
    series[2].markLine = {symbol: "none", silent: true, lineStyle: {color: COLORS.chain, type: "dotted"},
                          data: [{yAxis: data.integrated, name: "integrated optimum"}],
                          label: {formatter: "integrated optimum", position: "insideEndTop", fontSize: 9}};
    if (data.zone && data.zone.high > data.zone.low) {
      series[0].markArea = {silent: true, itemStyle: {color: "rgba(22, 163, 74, 0.12)"},
                            label: {show: true, position: "insideTop", formatter: "deal zone", fontSize: 10},
                            data: [[{xAxis: data.zone.low}, {xAxis: data.zone.high}]]};
    }
    if (data.current && data.current.x !== null && data.current.buyer !== null) {
      series.push({type: "scatter", name: "Given terms", symbolSize: 9, z: 5,
                   data: [[data.current.x, data.current.buyer], [data.current.x, data.current.supplier]],
                   itemStyle: {color: "#111827"}});
    }
    make(el, {
      grid: {left: 70, right: 20, top: 36, bottom: 40},
      legend: {top: 0},
      tooltip: {trigger: "axis", valueFormatter: fmt},
      xAxis: {type: "value", name: data.parameter, nameLocation: "middle", nameGap: 26, scale: true},
      yAxis: {type: "value", name: "expected profit", scale: true},
      series: series
    });
  }

  function sharingChart(el, data) {
    var methods = data.methods.filter(function (m) { return m.allocation; });
    var series = methods.map(function (m) {
      return {type: "bar", name: m.method, data: data.players.map(function (p) { return m.allocation[p]; })};
    });
    series.push({type: "scatter", name: "alone", symbol: "diamond", symbolSize: 10, itemStyle: {color: COLORS.alone},
                 data: data.players.map(function (p) { return data.stand_alone[p]; })});
    make(el, {
      grid: {left: 80, right: 20, top: 36, bottom: 60},
      legend: {top: 0},
      tooltip: {trigger: "axis", valueFormatter: fmt},
      xAxis: {type: "category", data: data.players, axisLabel: {interval: 0, rotate: 20, fontSize: 10}},
      yAxis: {type: "value", name: data.currency},
      series: series
    });
  }

  function sliders() {
    var form = document.getElementById("contract-form");
    if (!form || form.dataset.ready) { return; }
    form.dataset.ready = "1";
    form.querySelectorAll("input[data-slider]").forEach(function (range) {
      var field = form.querySelector("input[name='" + range.dataset.slider + "']");
      range.addEventListener("input", function () { field.value = range.value; });
      range.addEventListener("change", function () { field.value = range.value; form.requestSubmit(); });
      field.addEventListener("change", function () { if (field.value !== "") { range.value = field.value; } });
    });
    form.querySelector("select[name='type']").addEventListener("change", function () { form.requestSubmit(); });
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    sliders();
    if (!window.echarts) { return; }
    var contract = json("contract-data");
    var el = document.getElementById("contract-chart");
    if (contract && el) { contractChart(el, contract); }
    var sharing = json("sharing-data");
    el = document.getElementById("sharing-chart");
    if (sharing && el) { sharingChart(el, sharing); }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
