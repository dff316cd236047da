// TickEngine as a library: a recording replayed through MarketData, the same stream a live venue gives
// (MarketData.Connect with the same options and Exchange set). Counts the trades, their exact volume and VWAP,
// and prints the last five from the symbol's buffer.
//
//   dotnet run --project examples/TickEngine.Example -- DATA_ROOT SYMBOL
using System.Globalization;
using TickEngine;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: TickEngine.Example DATA_ROOT SYMBOL   (a data root written by tickengine record)");
    return 2;
}
string root = args[0], symbol = args[1];
await using var stream = MarketData.Replay(new MarketDataOptions { DataRoot = root, Symbols = [symbol] });
long trades = 0;
decimal volume = 0, notional = 0;
await foreach (var t in stream.Trades())
{
    trades++;
    volume += t.Quantity;
    notional += t.Price * t.Quantity;
}
await stream.Completion;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trades {trades} volume {volume} vwap {(volume == 0 ? 0 : notional / volume)}"));
var buffer = stream.Buffer(symbol);
if (buffer is not null)
{
    Span<TradeRow> last = stackalloc TradeRow[5];
    int n = buffer.Latest(5, last);
    for (int i = 0; i < n; i++)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.FromUnixTimeMilliseconds(last[i].ExchangeTimeNs / 1_000_000):O} {buffer.Price(last[i].Price)} {buffer.Quantity(last[i].Quantity)} {last[i].Side}"));
}
return 0;
