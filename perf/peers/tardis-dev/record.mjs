// The peer TickEngine times itself against: tardis-dev's own Binance normalizers (trades, book changes) and its
// computables (top-5 book snapshots every second, trade bars of 1m..1d) over the same capture file, in one pass.
// Usage: node record.mjs CAPTURE [exchange]   (CAPTURE: '<receive ns> <frame>' lines, gzip or not)
// Prints one JSON line: counts of what was produced, start-up (loading the library) and processing time.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const t0 = performance.now();
const require = createRequire(process.env.TARDIS_DEV_HOME ? process.env.TARDIS_DEV_HOME + '/' : import.meta.url);
const { normalizeTrades, normalizeBookChanges, compute, computeBookSnapshots, computeTradeBars } = require('tardis-dev');
const startupMs = performance.now() - t0;

const [capture, exchange = 'binance'] = process.argv.slice(2);
const counts = { frames: 0, trades: 0, book_changes: 0, book_snapshots: 0, trade_bars: 0 };

async function* normalized() {
  const input = createReadStream(capture);
  const head = await new Promise((resolve) => input.once('readable', () => { const b = input.read(2); input.unshift(b); resolve(b); }));
  const text = head && head[0] === 0x1f && head[1] === 0x8b ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let symbol;
  let mappers;
  for await (const line of lines) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    counts.frames++;
    const localTimestamp = new Date(Number(BigInt(line.slice(0, space)) / 1000000n));
    let message = JSON.parse(line.slice(space + 1));
    if (message.lastUpdateId !== undefined && message.stream === undefined) {
      // A REST depth snapshot stands alone in the capture: tardis-dev takes it as a generated depthSnapshot message.
      message = { stream: `${symbol ?? 'btcusdt'}@depthSnapshot`, generated: true, data: message };
    } else if (symbol === undefined && typeof message.stream === 'string') {
      symbol = message.stream.split('@')[0];
    }
    mappers ??= [normalizeTrades(exchange, localTimestamp), normalizeBookChanges(exchange, localTimestamp)];
    for (const mapper of mappers) {
      if (!mapper.canHandle(message)) continue;
      for (const m of mapper.map(message, localTimestamp)) yield m;
    }
  }
}

const t1 = performance.now();
const bars = [60e3, 300e3, 900e3, 3600e3, 14400e3, 86400e3].map((interval) => computeTradeBars({ kind: 'time', interval }));
for await (const m of compute(normalized(), computeBookSnapshots({ depth: 5, interval: 1000 }), ...bars)) {
  if (m.type === 'trade') counts.trades++;
  else if (m.type === 'book_change') counts.book_changes++;
  else if (m.type === 'book_snapshot') counts.book_snapshots++;
  else if (m.type === 'trade_bar') counts.trade_bars++;
}
const processingMs = performance.now() - t1;
console.log(JSON.stringify({ peer: 'tardis-dev', ...counts, startup_ms: +startupMs.toFixed(1), processing_ms: +processingMs.toFixed(1) }));
