using System.Runtime.InteropServices;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Events;

/// <summary>
/// The one event type of the ring: an unmanaged, fixed-size (64-byte) struct whose fields mean what
/// <see cref="Kind"/> says. Prices and quantities are fixed-point mantissas at the instrument's scales; times are
/// nanoseconds since the Unix epoch, UTC. Written by the producer in place in a ring slot, read by handlers.
/// <code>
///  offset  0: Kind (1) | Side (1) | reserved (2) | InstrumentId (4)
///  offset  8: ExchangeTime (8)      offset 16: ReceiveTime (8)
///  offset 24: Price (8)             offset 32: Quantity (8)
///  offset 40: Id (8)                offset 48: Id2 (8)
///  offset 56: Flags (8)
/// </code>
/// Trade: Id = trade id, Side = aggressor (<see cref="TradeSide"/>).
/// BookDelta: Side = <see cref="BookSide"/>, Id/Id2 = first/last update id of the message, Flags = <see cref="RowFlags"/>.
/// BookTicker (a quote): Price/Quantity = best bid, Id = update id; the ask is in <see cref="AskPrice"/>/<see cref="AskQuantity"/>
/// (stored in Id2/Flags); the row's flags in <see cref="QuoteFlags"/> (stored in Reserved).
/// Funding: <see cref="FundingRate"/> (Id) at <see cref="FundingRateScale"/> (Reserved), <see cref="NextFunding"/> (Id2),
/// <see cref="MarkPrice"/> (Price), <see cref="IndexPrice"/> (Quantity), Flags = <see cref="RowFlags"/>.
/// Status: Side = <see cref="StatusKind"/>, Id/Id2 = the marker's a and b.
/// RowPart: Side = <see cref="SchemaKind"/>; ExchangeTime/ReceiveTime = the row's columns 0 and 1; Price, Quantity,
/// Id, Id2, Flags = five more columns in order (part k holds columns 2 + 5k .. 6 + 5k); Reserved = the part's index,
/// or, on the row's last part, 0x8000 | the row's column count. A row's parts are consecutive on the ring.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
public struct MarketEvent
{
    [FieldOffset(0)] public EventKind Kind;
    [FieldOffset(1)] public byte Side;
    [FieldOffset(2)] public ushort Reserved;
    [FieldOffset(4)] public int InstrumentId;
    [FieldOffset(8)] public long ExchangeTime;
    [FieldOffset(16)] public long ReceiveTime;
    [FieldOffset(24)] public long Price;
    [FieldOffset(32)] public long Quantity;
    [FieldOffset(40)] public long Id;
    [FieldOffset(48)] public long Id2;
    [FieldOffset(56)] public long Flags;

    /// <summary>BookTicker: best ask price (shares the slot of <see cref="Id2"/>).</summary>
    public long AskPrice { readonly get => Id2; set => Id2 = value; }

    /// <summary>BookTicker: best ask quantity (shares the slot of <see cref="Flags"/>).</summary>
    public long AskQuantity { readonly get => Flags; set => Flags = value; }

    /// <summary>BookTicker: best bid price (the slot of <see cref="Price"/>).</summary>
    public long BidPrice { readonly get => Price; set => Price = value; }

    /// <summary>BookTicker: best bid quantity (the slot of <see cref="Quantity"/>).</summary>
    public long BidQuantity { readonly get => Quantity; set => Quantity = value; }

    /// <summary>BookTicker: the quote row's <see cref="RowFlags"/> (low 16 bits; the slot of <see cref="Reserved"/>).</summary>
    public long QuoteFlags { readonly get => Reserved; set => Reserved = (ushort)value; }

    /// <summary>Funding: the rate's mantissa (the slot of <see cref="Id"/>), at <see cref="FundingRateScale"/>.</summary>
    public long FundingRate { readonly get => Id; set => Id = value; }

    /// <summary>Funding: the decimals of <see cref="FundingRate"/> (the slot of <see cref="Reserved"/>).</summary>
    public int FundingRateScale { readonly get => Reserved; set => Reserved = (ushort)value; }

    /// <summary>Funding: when the next funding is paid, ns (the slot of <see cref="Id2"/>; 0 unknown).</summary>
    public long NextFunding { readonly get => Id2; set => Id2 = value; }

    /// <summary>Funding: the mark price (the slot of <see cref="Price"/>; 0 unknown).</summary>
    public long MarkPrice { readonly get => Price; set => Price = value; }

    /// <summary>Funding: the index price (the slot of <see cref="Quantity"/>; 0 unknown).</summary>
    public long IndexPrice { readonly get => Quantity; set => Quantity = value; }
}
