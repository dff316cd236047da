#!/usr/bin/env bash
# A backtest report on the real spot capture, rendered in headless Chromium (Debian's chromium, installed here when
# missing, as CI runs as root on a fresh machine): passes when the page renders to a non-trivial PNG.
set -eu
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
out=artifacts/ci-report
rm -rf "$out" && mkdir -p "$out"
cli="dotnet run --project tools/TickEngine.Cli -c Release --no-build --"
$cli record --exchange binance --capture ../shared/fixtures/binance/hftbacktest_spot_btcusdt_20240808.gz --data "$out/data" --quiet
$cli backtest --data "$out/data" --symbol BTCUSDT --strategy mm --interval 10s --out "$out/mm" >/dev/null
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1050,2300 \
  --screenshot="$PWD/$out/mm/screenshot.png" "file://$PWD/$out/mm/report.html" >/dev/null 2>&1
size=$(stat -c %s "$out/mm/screenshot.png")
tag=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$PWD/$out/mm/report.html" 2>/dev/null | grep -o '<html[^>]*>' | head -1)
echo "report.html rendered by $(chromium --version): $out/mm/screenshot.png, $size bytes; $tag"
[ "$size" -gt 20000 ] && echo "$tag" | grep -q 'data-charts-rendered="[1-9]' && ! echo "$tag" | grep -q 'data-script-errors'
