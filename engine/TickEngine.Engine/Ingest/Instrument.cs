using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Ingest;

/// <summary>
/// A registered instrument: id (its index), exchange, symbol, the decimal scales of its prices and quantities, and
/// what its venue's trade ids are (<see cref="TradeIdKind"/>).
/// <para>Scales follow the data: an instrument starts at <see cref="InitialPriceScale"/>/<see cref="InitialQuantityScale"/>
/// (from the venue's metadata, or the registry's default), and when a value the exchange sent does not fit (more
/// decimals, or too large for 64 bits at that scale) the producer moves it to scales that hold it
/// (<see cref="ScaleChange"/>): a <c>scale_change</c> marker goes on the ring, and every row after it is at the new
/// scales (a new segment part). <see cref="PriceScale"/> and <see cref="QuantityScale"/> are the current scales and
/// belong to the producer thread; handlers follow the markers from the initial scales, never these properties.</para>
/// </summary>
public sealed class Instrument
{
    private readonly InstrumentRegistry? _registry;
    private readonly List<IScaledState> _states = new();

    public Instrument(int id, string exchange, string symbol, int priceScale, int quantityScale, TradeIdKind tradeIds = TradeIdKind.Sequential,
        InstrumentRegistry? registry = null)
    {
        Id = id;
        Exchange = exchange;
        Symbol = symbol;
        InitialPriceScale = PriceScale = priceScale;
        InitialQuantityScale = QuantityScale = quantityScale;
        TradeIds = tradeIds;
        _registry = registry;
    }

    public int Id { get; }
    public string Exchange { get; }
    public string Symbol { get; }
    public TradeIdKind TradeIds { get; }

    /// <summary>The scales the instrument was registered with: where every handler's view of it starts.</summary>
    public int InitialPriceScale { get; }

    /// <summary>See <see cref="InitialPriceScale"/>.</summary>
    public int InitialQuantityScale { get; }

    /// <summary>The current price scale (producer thread).</summary>
    public int PriceScale { get; private set; }

    /// <summary>The current quantity scale (producer thread).</summary>
    public int QuantityScale { get; private set; }

    /// <summary>Trade ids of any form, stored as format 1.1 text ids.</summary>
    public bool TextTradeIds => TradeIds == TradeIdKind.Text;

    /// <summary>Scales a value that did not fit asks for (-1: none), until the producer applies or refuses them.</summary>
    internal int WantedPriceScale = -1, WantedQuantityScale = -1;

    /// <summary>Scale changes applied so far.</summary>
    public int ScaleChanges { get; private set; }

    /// <summary>A price as decimal text at the current scale; a value that does not fit asks for a scale that holds it.</summary>
    public bool TryPrice(ReadOnlySpan<byte> text, out long mantissa)
    {
        if (FixedDecimal.TryParse(text, PriceScale, out mantissa, out var error)) return true;
        if (error is DecimalParseError.TooManyDecimals or DecimalParseError.OutOfRange) Want(text, price: true);
        return false;
    }

    /// <summary>A quantity as decimal text at the current scale; see <see cref="TryPrice"/>.</summary>
    public bool TryQuantity(ReadOnlySpan<byte> text, out long mantissa)
    {
        if (FixedDecimal.TryParse(text, QuantityScale, out mantissa, out var error)) return true;
        if (error is DecimalParseError.TooManyDecimals or DecimalParseError.OutOfRange) Want(text, price: false);
        return false;
    }

    private void Want(ReadOnlySpan<byte> text, bool price)
    {
        if (!FixedDecimal.TryFit(text, out int min, out int max)) return; // no 64-bit mantissa holds it at any scale
        int current = price ? PriceScale : QuantityScale;
        int wanted = price ? WantedPriceScale : WantedQuantityScale;
        if (wanted < 0) wanted = current;
        // The nearest scale to the current one that holds this value (and every value asked for before it).
        int target = wanted < min ? min : wanted > max ? max : wanted;
        if (target < min || target > max) return;
        if (price) WantedPriceScale = target; else WantedQuantityScale = target;
        _registry?.AskScaleChange(this);
    }

    /// <summary>State of the producer's that holds this instrument's mantissas (a book): rescaled with it.</summary>
    internal void Track(IScaledState state) => _states.Add(state);

    /// <summary>
    /// Moves the instrument to the scales asked for, if every value the producer holds of it (at
    /// <paramref name="fromPrice"/>/<paramref name="fromQuantity"/>, the scales before this frame) can be held exactly
    /// at them; true when it moved. Producer thread; <see cref="ScaleChange"/> completes or reverts the move.
    /// </summary>
    internal bool TryMoveWanted(int fromPrice, int fromQuantity)
    {
        int priceScale = WantedPriceScale < 0 ? PriceScale : WantedPriceScale;
        int quantityScale = WantedQuantityScale < 0 ? QuantityScale : WantedQuantityScale;
        WantedPriceScale = WantedQuantityScale = -1;
        if (priceScale == PriceScale && quantityScale == QuantityScale) return false;
        foreach (var s in _states)
            if (!s.CanRescale(fromPrice, fromQuantity, priceScale, quantityScale)) return false;
        MoveTo(priceScale, quantityScale);
        return true;
    }

    internal void MoveTo(int priceScale, int quantityScale)
    {
        PriceScale = priceScale;
        QuantityScale = quantityScale;
    }

    internal void CountScaleChange() => ScaleChanges++;

    internal IReadOnlyList<IScaledState> States => _states;

    public override string ToString() => $"{Exchange}/{Symbol}";
}
