using System.Net;
using TickEngine.Cli.Reports;

namespace TickEngine.Cli.Service;

/// <summary>
/// The service's live page (GET /): connections and rates from /api/v1/status, the book's top levels from /latest,
/// the 1m candles (uPlot, inlined with its licence, no CDN) and a trade tape fed by the trades stream (Server-Sent
/// Events). Plain HTML and script; script errors are written on &lt;html&gt; (data-script-errors) and the tape's
/// count (data-trades) so a headless browser can check the page.
/// </summary>
public static class Dashboard
{
    public static string Html(string exchange, IReadOnlyList<string> symbols)
    {
        string options = string.Join("", symbols.Select(s => $"<option>{WebUtility.HtmlEncode(s)}</option>"));
        string body = $$"""
            <h1>TickEngine service</h1>
            <p>Exchange <b id="ex">{{WebUtility.HtmlEncode(exchange)}}</b>, symbol <select id="sym">{{options}}</select> <span class="note" id="state">connecting…</span></p>
            <h2>Connections</h2><table id="conns"><tr><th class=l>connection</th><th>state</th><th>messages</th><th>messages/s</th></tr></table>
            <table id="counts"></table>
            <div style="display:flex;gap:24px;align-items:flex-start">
              <div><h2>Book</h2><table id="book"><tr><th>bid qty</th><th>bid</th><th>ask</th><th>ask qty</th></tr></table></div>
              <div><h2>Trades</h2><table id="tape"><tr><th class=l>time (UTC)</th><th>price</th><th>quantity</th><th class=l>side</th><th>seq</th></tr></table></div>
            </div>
            <h2>1m candles</h2><div id="candles"></div>
            <script>
            window.addEventListener("load", function () {
              "use strict";
              var ex = document.getElementById("ex").textContent, symSel = document.getElementById("sym");
              var trades = 0, lastMessages = {}, chart = null, source = null;
              function cell(tr, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); }
              function rows(table, keep) { while (table.rows.length > keep) table.deleteRow(keep); }
              function base() { return "/api/v1/" + encodeURIComponent(ex) + "/" + encodeURIComponent(symSel.value); }
              function status() {
                fetch("/api/v1/status").then(function (r) { return r.json(); }).then(function (s) {
                  var t = document.getElementById("conns"); rows(t, 1);
                  s.connections.forEach(function (c) {
                    var tr = t.insertRow(); cell(tr, c.url, "l"); cell(tr, c.state); cell(tr, c.messages.toLocaleString("en"));
                    cell(tr, lastMessages[c.url] == null ? "-" : (c.messages - lastMessages[c.url]).toLocaleString("en")); lastMessages[c.url] = c.messages;
                  });
                  var k = document.getElementById("counts"); rows(k, 0);
                  Object.keys(s.committed).forEach(function (name) { var tr = k.insertRow(); cell(tr, "committed " + name, "l"); cell(tr, s.committed[name].toLocaleString("en")); });
                  s.sinks.forEach(function (x) { var tr = k.insertRow(); cell(tr, x.target + " (" + x.state + ")", "l"); cell(tr, "lag " + x.lag_rows.toLocaleString("en") + " rows"); });
                  var tr = k.insertRow(); cell(tr, "stream subscribers / dropped", "l"); cell(tr, s.streams.subscribers + " / " + s.streams.dropped);
                }).catch(function () {});
                fetch(base() + "/latest?depth=10").then(function (r) { return r.ok ? r.json() : null; }).then(function (l) {
                  if (!l) return;
                  var b = document.getElementById("book"); rows(b, 1);
                  for (var i = 0; i < Math.max(l.book.bids.length, l.book.asks.length); i++) {
                    var tr = b.insertRow(), bid = l.book.bids[i] || ["", ""], ask = l.book.asks[i] || ["", ""];
                    cell(tr, bid[1]); cell(tr, bid[0]); cell(tr, ask[0]); cell(tr, ask[1]);
                  }
                  document.getElementById("state").textContent = l.book.in_sync ? "book in sync" : "book out of sync";
                }).catch(function () {});
              }
              function candles() {
                fetch(base() + "/candles/1m?limit=100").then(function (r) { return r.ok ? r.json() : null; }).then(function (c) {
                  if (!c || c.candles.length === 0) return;
                  var t = [], h = [], l = [], cl = [], prev = null;
                  c.candles.forEach(function (x) {
                    var at = x.open_time_ns / 1e9;
                    // A stretch with no candle is left blank (a break in the line), never drawn across.
                    if (prev !== null && at - prev > 60) { t.push(prev + 60); h.push(null); l.push(null); cl.push(null); }
                    t.push(at); h.push(+x.high); l.push(+x.low); cl.push(+x.close); prev = at;
                  });
                  var data = [t, h, cl, l];
                  if (chart) { chart.setData(data); return; }
                  chart = new uPlot({ width: 940, height: 260, scales: { x: { time: true } }, axes: [{}, { size: 80 }],
                    series: [{}, { label: "high", stroke: "#2ca02c" }, { label: "close", stroke: "#1f77b4", width: 2 }, { label: "low", stroke: "#d62728" }] },
                    data, document.getElementById("candles"));
                }).catch(function () {});
              }
              function subscribe() {
                if (source) source.close();
                source = new EventSource(base() + "/trades/stream");
                source.onmessage = function (e) {
                  var d = JSON.parse(e.data), tape = document.getElementById("tape");
                  var tr = tape.insertRow(1); tr.setAttribute("data-trade-id", d.trade_id);
                  cell(tr, new Date(d.exchange_time_ns / 1e6).toISOString().substring(11, 23), "l"); cell(tr, d.price); cell(tr, d.quantity); cell(tr, d.side, "l"); cell(tr, e.lastEventId);
                  rows(tape, 21);
                  trades++; document.documentElement.setAttribute("data-trades", String(trades));
                };
              }
              symSel.addEventListener("change", function () { chart = null; document.getElementById("candles").innerHTML = ""; subscribe(); candles(); });
              subscribe(); status(); candles();
              setInterval(status, 1000); setInterval(candles, 10000);
            });
            </script>
            """;
        return Charts.Page("TickEngine service", body);
    }
}
