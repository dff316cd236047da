using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Reports;
using TickEngine.Engine.Research;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Commands;

/// <summary>The options backtest and tune share: data, instrument, strategy, parameters, queue model, latency, fees, period.</summary>
public sealed class BacktestOptions
{
    private readonly Spelled<string?> _data = Vocabulary.Data("the data root");
    private readonly Spelled<string[]> _symbol = Vocabulary.Symbol("the instrument (one)");
    private readonly Spelled<string[]> _exchange = Vocabulary.Exchange("its exchange, when the symbol is recorded on several");
    private readonly Option<string?> _strategy = Vocabulary.Text("--strategy", string.Join(" or ", StrategyRegistry.Names), "S");
    private readonly Option<string[]> _param = new("--param") { Description = "a strategy parameter k=v (repeatable); tune: k=a..b", HelpName = "K=V", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _queue = new("--queue-model") { Description = "risk-averse (default), power1, power2, power3, log (the conservative rules); hbt-risk-averse, hbt-power:N, hbt-power2:N, hbt-power3:N, hbt-log, hbt-log2 (hftbacktest's models and fill rules exactly)", HelpName = "M", DefaultValueFactory = _ => "risk-averse" };
    private readonly Option<string> _feedDelay = new("--feed-delay") { Description = "estimate (default: the receive clock's offset from the exchange's estimated from the data, and the delay above it charged), none (events seen at exchange time), or the offset in ms", HelpName = "MODE", DefaultValueFactory = _ => "estimate" };
    private readonly Option<string?> _tick = Vocabulary.Text("--tick", "the instrument's price tick (default: inferred from the data)", "PRICE");
    private readonly Option<string?> _lot = Vocabulary.Text("--lot", "the instrument's quantity lot (default: inferred from the data)", "QTY");
    private readonly Option<string> _offGrid = new("--off-grid") { Description = "snap (default: prices onto the tick away from the other side, quantities down to lots) or refuse", HelpName = "P", DefaultValueFactory = _ => "snap" };
    private readonly Option<double?> _latency = Vocabulary.Number("--latency-ms", "order-entry latency (default 0)", 0, 60_000, "MS");
    private readonly Option<double?> _cancelLatency = Vocabulary.Number("--cancel-latency-ms", "cancel latency (default: --latency-ms)", 0, 60_000, "MS");
    private readonly Option<string?> _hgrm = Vocabulary.Text("--latency-hgrm", "draw entry and cancel latency from an HdrHistogram .hgrm file (values in microseconds)", "FILE");
    private readonly Option<bool> _recorded = Vocabulary.Flag("--latency-recorded", "draw entry and cancel latency from the recording's own receive - exchange times");
    private readonly Option<int> _latencySeed = Vocabulary.Int("--latency-seed", "seed of drawn latencies", 1, int.MinValue, int.MaxValue);
    private readonly Option<double?> _maker = Vocabulary.Number("--maker-bps", "maker fee in bp, negative = rebate (default: the venue's base tier)", -100, 100, "BP");
    private readonly Option<double?> _taker = Vocabulary.Number("--taker-bps", "taker fee in bp (default: the venue's base tier)", -100, 100, "BP");
    private readonly Option<long?> _start = Vocabulary.Time("--start", "first order time (epoch ms or ISO-8601); the book is built from the data's start");
    private readonly Option<long?> _end = Vocabulary.Time("--end", "end of the run (exclusive)");
    private readonly Option<TimeSpan?> _interval = Vocabulary.Duration("--interval", "equity interval for the curve, Sharpe, Sortino and CVaR (default 1m)");
    private readonly Option<string[]> _leg = new("--leg") { Description = "another instrument the strategy trades, EXCHANGE:SYMBOL (repeatable; a cross-venue strategy such as basis)", HelpName = "EXCHANGE:SYMBOL", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _synthetic = Vocabulary.Flag("--synthetic", "run on the synthetic market instead of recorded data (seeded: --seed; --duration of market time at --rate events/s), written to a temporary data root");
    private readonly Option<TimeSpan?> _synthDuration = Vocabulary.Duration("--duration", "--synthetic: market time (default 1h)");
    private readonly Option<int> _synthRate = Vocabulary.Int("--rate", "--synthetic: market events per second (default 1000)", 1_000, 1, 1_000_000);
    private Option<int>? _seed;
    private string? _syntheticRoot;

    /// <param name="seed">The verb's --seed when it has one (tune: it also seeds the synthetic market); else one is added for --synthetic.</param>
    public BacktestOptions(Command cmd, Option<int>? seed = null)
    {
        _data.AddTo(cmd); _symbol.AddTo(cmd); _exchange.AddTo(cmd);
        _seed = seed ?? Vocabulary.Int("--seed", "--synthetic: the market's seed", 1, int.MinValue, int.MaxValue);
        if (seed is null) cmd.Options.Add(_seed);
        foreach (var o in new Option[] { _leg, _synthetic, _synthDuration, _synthRate }) cmd.Options.Add(o);
        foreach (var o in new Option[] { _strategy, _param, _queue, _feedDelay, _tick, _lot, _offGrid, _latency, _cancelLatency, _hgrm, _recorded, _latencySeed, _maker, _taker, _start, _end, _interval }) cmd.Options.Add(o);
    }

    public string[] RawParameters(ParseResult r) => r.GetValue(_param) ?? [];

    /// <summary>--leg EXCHANGE:SYMBOL values.</summary>
    private List<(string Exchange, string Symbol)> Legs(ParseResult r)
    {
        var legs = new List<(string, string)>();
        foreach (var text in r.GetValue(_leg) ?? [])
        {
            int colon = text.IndexOf(':');
            if (colon <= 0 || colon == text.Length - 1) throw new UsageException($"--leg {text}: give EXCHANGE:SYMBOL (e.g. bybit:BTCUSDT)");
            legs.Add((text[..colon].Trim(), text[(colon + 1)..].Trim()));
        }
        return legs;
    }

    /// <summary>Writes the seeded synthetic market to a temporary data root (removed by <see cref="CleanUp"/>).</summary>
    private string SyntheticRoot(ParseResult r, CliContext ctx, string symbol, List<(string Exchange, string Symbol)> legs)
    {
        foreach (var (ex, sym) in legs)
            if (ex != Simulator.Market.SyntheticRecording.LaggedExchange || sym != symbol)
                throw new UsageException($"--leg {ex}:{sym}: the synthetic market has a second venue only, {Simulator.Market.SyntheticRecording.LaggedExchange}:{symbol}");
        var duration = r.GetValue(_synthDuration) ?? TimeSpan.FromHours(1);
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromDays(366)) throw new UsageException("--duration must be above 0 and at most a year");
        int rate = r.GetValue(_synthRate), seed = r.GetValue(_seed!);
        long events = (long)(duration.TotalSeconds * rate);
        if (events > 2_000_000_000) throw new UsageException($"--duration {duration} at --rate {rate} makes {events:N0} events; at most 2,000,000,000");
        _syntheticRoot = Path.Combine(Path.GetTempPath(), $"tickengine-synthetic-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var wall = Stopwatch.StartNew();
        // A fixed start (2024-01-01 UTC): the same seed, duration and rate give the same market and the same report.
        var (deltas, trades) = Simulator.Market.SyntheticRecording.Write(_syntheticRoot, symbol, seed, events, 1_704_067_200_000_000_000, rate, ctx.Cancel, lagged: legs.Count > 0);
        ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"synthetic market: seed {seed}, {duration} at {rate:N0} events/s: {deltas:N0} level changes and {trades:N0} trades of {symbol} in {wall.Elapsed.TotalSeconds:F1} s"));
        return _syntheticRoot;
    }

    /// <summary>Removes the synthetic market's temporary data root, if one was written.</summary>
    public void CleanUp()
    {
        if (_syntheticRoot is { } root && Directory.Exists(root)) { try { Directory.Delete(root, true); } catch (IOException) { } }
        _syntheticRoot = null;
    }

    /// <summary>Whether the run is on the synthetic market (its seed is stated in the report).</summary>
    public int? SyntheticSeed(ParseResult r) => r.GetValue(_synthetic) ? r.GetValue(_seed!) : null;

    /// <summary>The most equity points one backtest keeps.</summary>
    public const long MaxEquityPoints = 5_000_000;

    public BacktestSpec Spec(ParseResult r, CliContext ctx, bool parametersAreRanges = false)
    {
        string? root = _data.Get(r, ctx.Error);
        var symbols = _symbol.Get(r, ctx.Error);
        if (r.GetValue(_synthetic))
        {
            if (root is not null) throw new UsageException("--synthetic runs on a market of its own: give no --data");
            symbols ??= ["BTCUSDT"];
            root = SyntheticRoot(r, ctx, symbols is { Length: 1 } ? symbols[0] : throw new UsageException("--symbol: one instrument"), Legs(r));
        }
        else if (r.GetValue(_synthDuration) is not null || r.GetResult(_synthRate) is { Implicit: false }) throw new UsageException("--duration and --rate shape the --synthetic market: give --synthetic");
        if (root is null) throw new UsageException("--data is required: the data root (or --synthetic)");
        if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
        if (symbols is not { Length: 1 }) throw new UsageException("--symbol is required: one instrument");
        string strategy = r.GetValue(_strategy) ?? throw new UsageException($"--strategy is required: {string.Join(" or ", BacktestRunner.Strategies)}");
        if (!BacktestRunner.Strategies.Contains(strategy)) throw new UsageException($"--strategy must be {string.Join(" or ", BacktestRunner.Strategies)}, got '{strategy}'");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!parametersAreRanges)
            foreach (var p in RawParameters(r))
            {
                int eq = p.IndexOf('=');
                if (eq <= 0) throw new UsageException($"--param {p}: give name=value");
                parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim();
            }
        try { QueueModel.Parse(r.GetValue(_queue)!); } catch (ArgumentException e) { throw new UsageException($"--queue-model: {e.Message}"); }
        long from = r.GetValue(_start) ?? long.MinValue, to = r.GetValue(_end) ?? long.MaxValue;
        if (to <= from) throw new UsageException("--end must be after --start");
        double entry = r.GetValue(_latency) ?? 0;
        Engine.Venues.FeeSchedule? fees = null;
        if (r.GetValue(_maker) is { } mk || r.GetValue(_taker) is not null)
        {
            try { fees = Engine.Venues.FeeSchedule.FromBps((decimal)(r.GetValue(_maker) ?? 0), (decimal)(r.GetValue(_taker) ?? 0)); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
        }
        var spec = new BacktestSpec
        {
            Root = root, Symbol = symbols[0], Exchange = _exchange.Get(r, ctx.Error) is { Length: > 0 } x ? x[0] : r.GetValue(_synthetic) ? Simulator.Market.SyntheticRecording.Exchange : null, Strategy = strategy,
            Parameters = parameters, QueueModel = r.GetValue(_queue)!, EntryLatencyNs = (long)(entry * 1e6),
            CancelLatencyNs = (long)((r.GetValue(_cancelLatency) ?? entry) * 1e6), Fees = fees, StartNs = from, EndNs = to,
            SampleNs = (long)(r.GetValue(_interval) ?? TimeSpan.FromMinutes(1)).TotalNanoseconds,
            LatencyHgrm = r.GetValue(_hgrm), LatencyFromRecording = r.GetValue(_recorded), LatencySeed = r.GetValue(_latencySeed),
            FeedDelay = r.GetValue(_feedDelay)!, Tick = r.GetValue(_tick), Lot = r.GetValue(_lot), Legs = Legs(r),
            OffGrid = r.GetValue(_offGrid) switch { "snap" => OffGridPolicy.Snap, "refuse" => OffGridPolicy.Refuse, var o => throw new UsageException($"--off-grid must be snap or refuse, got '{o}'") },
        };
        if (spec.LatencyHgrm is { } h && !File.Exists(h)) throw new UsageException($"--latency-hgrm {h}: no such file");
        if (spec.LatencyHgrm is not null && spec.LatencyFromRecording) throw new UsageException("give one of --latency-hgrm and --latency-recorded");
        if (spec.SampleNs <= 0) throw new UsageException("--interval must be above 0");
        // A period the data does not cover is an empty run, never an empty success: bad input naming what the data covers.
        if ((spec.StartNs != long.MinValue || spec.EndNs != long.MaxValue) && BacktestRunner.Span(spec with { StartNs = long.MinValue, EndNs = long.MaxValue }) is { } whole
            && (spec.StartNs > whole.Last || spec.EndNs <= whole.First))
            throw new InputException($"no data of {spec.Symbol} between {(spec.StartNs == long.MinValue ? "its start" : TimeText.FormatIso(spec.StartNs))} and {(spec.EndNs == long.MaxValue ? "its end" : TimeText.FormatIso(spec.EndNs))}: it covers {TimeText.FormatIso(whole.First)} .. {TimeText.FormatIso(whole.Last)}");
        // Bounded memory whatever --interval says: the equity points the data's span makes, checked before any is made.
        if (BacktestRunner.Span(spec) is { } span && span.Last > span.First && (span.Last - span.First) / spec.SampleNs + 1 > MaxEquityPoints)
            throw new UsageException($"--interval {spec.SampleNs / 1e9:0.#########} s over the {(span.Last - span.First) / 1e9:N0} s of data makes {(span.Last - span.First) / spec.SampleNs + 1:N0} equity points; at most {MaxEquityPoints:N0}: give a longer --interval");
        try
        {
            var (exchange, ps, qs) = BacktestRunner.Instrument(spec);
            // A given tick or lot is checked now (the strategy's grid is checked against it); an inferred one at the run.
            var rules = (spec.Tick ?? spec.Lot) is not null ? BacktestRunner.Rules(spec, exchange, ps, qs) : InstrumentRules.Units;
            if (!parametersAreRanges) StrategyRegistry.Create(strategy, parameters, new StrategyInstrument(ps, qs, rules)); // parameter errors now, not mid-run
            int instruments = StrategyRegistry.Find(strategy)!.Instruments;
            if (instruments != 1 + spec.Legs.Count)
                throw new UsageException($"strategy {strategy} trades {instruments} instrument{(instruments == 1 ? "" : "s")}: {(instruments == 1 ? "give no --leg" : $"give {instruments - 1} --leg EXCHANGE:SYMBOL")}");
            foreach (var (ex, sym) in spec.Legs) BacktestRunner.Source(spec with { Exchange = ex, Symbol = sym, Legs = [] }); // each leg's book exists
            if (spec.FeedDelay.Trim().ToLowerInvariant() is not ("estimate" or "none")) BacktestRunner.Clock(spec, exchange);
            BacktestRunner.Latency(spec, exchange);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException) { throw new UsageException(e.Message); }
        // A data root with no book of the instrument is bad data (exit 1), as slippage says it: BookSourceException.
        return spec;
    }
}
