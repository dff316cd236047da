// Reads an Arrow IPC stream with the apache-arrow npm package (a reader that is not TickEngine's) and prints rows,
// the exact sums of the price and quantity columns (decimal128 unscaled integers, as BigInt) and the buy count.
import { readFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
const t = tableFromIPC(readFileSync(process.argv[2]));
const col = (n) => t.getChild(n);
function dec(v) { // a decimal128 value as the BigInt of its unscaled integer
  const w = v instanceof Uint32Array ? v : new Uint32Array(v.buffer ?? v);
  let x = 0n; for (let i = 3; i >= 0; i--) x = (x << 32n) | BigInt(w[i]);
  if (w[3] & 0x80000000) x -= 1n << 128n;
  return x;
}
let qty = 0n, px = 0n, buys = 0;
const q = col("quantity"), p = col("price"), s = col("side");
for (let i = 0; i < t.numRows; i++) { qty += dec(q.get(i)); px += dec(p.get(i)); if (s.get(i) === "buy") buys++; }
console.log(JSON.stringify({ rows: t.numRows, quantity_scale: q.type.scale, quantity_sum: qty.toString(), price_sum: px.toString(), buys, first_ns: col("exchange_time_ns").get(0).toString(), fields: t.schema.fields.map(f => f.name + ":" + f.type) }));
