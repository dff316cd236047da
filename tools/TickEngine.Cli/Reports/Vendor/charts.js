// TickEngine's report charts: reads each <script type="application/json" class="te-chart"> spec and draws it with
// uPlot (inlined beside this script). Kinds: "lines" (time, linear or log x; line, step or point series; drag to
// zoom, double-click to reset, a tooltip with every series' value at the cursor) and "bars" (categories, grouped
// series, each bar labelled with its value or its own label). Script errors and the charts drawn are written on
// <html> (data-script-errors, data-charts-rendered, data-render-ms) so a headless browser can check the page.
(function () {
  "use strict";
  var started = performance.now();
  var errors = [];
  window.addEventListener("error", function (e) {
    errors.push(String(e.message || e));
    document.documentElement.setAttribute("data-script-errors", errors.join(" | "));
  });
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
  var WIDTH = 940, HEIGHT = 300;

  function num(v) {
    if (v == null || !isFinite(v)) return "-";
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-6 || a >= 1e15)) return v.toExponential(6);
    return String(+v.toPrecision(12));
  }

  function tick(v) { return v == null ? "" : num(v); } // uPlot hands null for ticks it leaves unlabelled

  function utc(ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); }

  function timeText(seconds) {
    var d = new Date(seconds * 1e3);
    return d.toISOString().replace("T", " ").replace("Z", " UTC");
  }

  // A box beside the cursor with x and every series' value there.
  // UTC tick labels at the axis's own step: seconds, minutes, hours or days, with the date where it changes.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function timeTicks(u, splits, axisIdx, space, incr) {
    var last = null;
    return splits.map(function (s) {
      var d = new Date(s * 1e3);
      var day = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
      var hm = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
      var text = incr >= 86400 ? day : incr >= 60 ? hm : hm + ":" + pad(d.getUTCSeconds());
      if (incr < 86400 && day !== last) text += "\n" + day;
      last = day;
      return text;
    });
  }

  function tooltip(xText, valueText) {
    var box;
    return {
      hooks: {
        init: function (u) {
          box = document.createElement("div");
          box.className = "te-tip";
          box.style.display = "none";
          u.over.appendChild(box);
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i == null || u.cursor.left == null || u.cursor.left < 0) { box.style.display = "none"; return; }
          var rows = ["<b>" + xText(u.data[0][i], i) + "</b>"];
          for (var s = 1; s < u.series.length; s++) {
            var v = u.data[s][i];
            if (v == null || !u.series[s].show) continue;
            rows.push('<span style="color:' + u.series[s]._stroke + '">' + u.series[s].label + "</span> " + (valueText ? valueText(s - 1, i, v) : num(v)));
          }
          box.innerHTML = rows.join("<br>");
          box.style.display = "block";
          var left = u.cursor.left + 12, top = u.cursor.top + 12;
          if (left + box.offsetWidth > u.over.clientWidth) left = u.cursor.left - box.offsetWidth - 12;
          if (top + box.offsetHeight > u.over.clientHeight) top = u.cursor.top - box.offsetHeight - 12;
          box.style.left = Math.max(0, left) + "px";
          box.style.top = Math.max(0, top) + "px";
        }
      }
    };
  }

  // Every chart reports when uPlot has drawn it (its "ready" hook): the page then says how many and how long it took.
  var pending = 0, drawn = 0;
  function drew() {
    drawn++;
    if (drawn === pending) {
      document.documentElement.setAttribute("data-charts-rendered", String(drawn));
      document.documentElement.setAttribute("data-render-ms", String(Math.round(performance.now() - started)));
    }
  }

  function lines(spec, el) {
    var xType = spec.x.type || "linear";
    var data = [spec.xs];
    var series = [{ label: spec.x.label, value: function (u, v) { return v == null ? "-" : xType === "time" ? timeText(v) : num(v); } }];
    spec.series.forEach(function (s, k) {
      var color = s.color || COLORS[k % COLORS.length];
      var one = { label: s.name, stroke: color, width: 1.5, spanGaps: true, value: function (u, v) { return num(v); } };
      if (s.style === "points") { one.paths = function () { return null; }; one.points = { show: true, size: 5, fill: color, stroke: color }; }
      else if (s.style === "step") { one.paths = uPlot.paths.stepped({ align: 1 }); one.points = { show: false }; }
      else one.points = { show: false };
      series.push(one);
      data.push(s.values);
    });
    var xScale = xType === "time" ? { time: true } : xType === "log" ? { time: false, distr: 3, log: 10 } : { time: false };
    var xAxis = { label: spec.x.label, stroke: "#444", grid: { stroke: "#eee" } };
    if (xType === "log") xAxis.values = function (u, splits) { return splits.map(tick); };
    if (xType === "time") xAxis.values = timeTicks;
    var opts = {
      width: WIDTH, height: HEIGHT, tzDate: utc,
      scales: { x: xScale, y: { auto: true } },
      axes: [xAxis, { label: spec.y.label, stroke: "#444", grid: { stroke: "#eee" }, size: 70, values: function (u, splits) { return splits.map(tick); } }],
      series: series,
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: { ready: [drew] },
      plugins: [tooltip(function (v) { return xType === "time" ? timeText(v) : num(v); })]
    };
    return new uPlot(opts, data, el);
  }

  function bars(spec, el) {
    var n = spec.categories.length, k = spec.series.length;
    var xs = [];
    for (var i = 0; i < n; i++) xs.push(i);
    var data = [xs];
    var series = [{ label: spec.x.label, value: function (u, v) { return v == null ? "-" : spec.categories[v]; } }];
    spec.series.forEach(function (s, j) {
      series.push({ label: s.name, stroke: s.color || COLORS[j % COLORS.length], fill: s.color || COLORS[j % COLORS.length],
        paths: function () { return null; }, points: { show: false }, value: function (u, v, si, i) { return i == null ? "-" : s.labels ? s.labels[i] : num(v); } });
      data.push(s.values);
    });
    function draw(u) {
      var ctx = u.ctx, slot = (u.valToPos(1, "x", true) - u.valToPos(0, "x", true)) || u.bbox.width;
      var width = slot * 0.8 / k, zero = u.valToPos(0, "y", true);
      ctx.save();
      ctx.font = Math.round(10 * devicePixelRatio) + "px sans-serif";
      ctx.textAlign = "center";
      for (var j = 0; j < k; j++) {
        if (!u.series[j + 1].show) continue;
        ctx.fillStyle = u.series[j + 1]._fill || u.series[j + 1]._stroke;
        for (var c = 0; c < n; c++) {
          var v = u.data[j + 1][c];
          if (v == null || !isFinite(v)) continue;
          var x = u.valToPos(c, "x", true) - slot * 0.4 + width * j, y = u.valToPos(v, "y", true);
          ctx.fillRect(x, Math.min(y, zero), width, Math.max(1, Math.abs(zero - y)));
          var label = spec.series[j].labels ? spec.series[j].labels[c] : num(v);
          if (label != null && width > 14 * devicePixelRatio) {
            ctx.fillStyle = "#333";
            ctx.fillText(label, x + width / 2, v >= 0 ? Math.min(y, zero) - 3 * devicePixelRatio : Math.max(y, zero) + 11 * devicePixelRatio);
            ctx.fillStyle = u.series[j + 1]._fill || u.series[j + 1]._stroke;
          }
        }
      }
      ctx.restore();
    }
    var opts = {
      width: WIDTH, height: HEIGHT,
      scales: {
        x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
        y: { range: function (u, min, max) { var lo = Math.min(0, min == null ? 0 : min), hi = Math.max(0, max == null ? 0 : max); if (hi === lo) return [lo, lo + 1]; var pad = (hi - lo) * 0.12; return [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0]; } }
      },
      axes: [
        { label: spec.x.label, stroke: "#444", grid: { show: false }, splits: function () { return xs; }, values: function (u, splits) { return splits.map(function (i) { return spec.categories[i] == null ? "" : spec.categories[i]; }); } },
        { label: spec.y.label, stroke: "#444", grid: { stroke: "#eee" }, size: 70, values: function (u, splits) { return splits.map(tick); } }
      ],
      series: series,
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [draw], ready: [drew] },
      plugins: [tooltip(function (v) { return spec.categories[v]; }, function (j, c, v) { return spec.series[j].labels ? spec.series[j].labels[c] : num(v); })]
    };
    return new uPlot(opts, data, el);
  }

  function render() {
    var specs = document.querySelectorAll("script.te-chart"), todo = [];
    for (var i = 0; i < specs.length; i++) {
      var spec = JSON.parse(specs[i].textContent);
      var holder = document.createElement("div");
      holder.className = "te-plot";
      specs[i].parentNode.insertBefore(holder, specs[i]);
      if (!spec.empty) todo.push([spec, holder]);
      else holder.textContent = "no data";
    }
    pending = todo.length;
    if (pending === 0) { document.documentElement.setAttribute("data-charts-rendered", "0"); document.documentElement.setAttribute("data-render-ms", "0"); }
    todo.forEach(function (t) { (t[0].kind === "bars" ? bars : lines)(t[0], t[1]); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render); else render();
})();
