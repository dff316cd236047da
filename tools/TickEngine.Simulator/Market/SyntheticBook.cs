using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>
/// A book message: a whole book (<see cref="Snapshot"/>) or level changes, spanning update ids
/// <see cref="FirstId"/>..<see cref="LastId"/> after <see cref="PreviousId"/>; <see cref="Number"/> counts the symbol's
/// book messages from 1 (the snapshot), for venues that number each message.
/// </summary>
public sealed record SyntheticBook(long TimeNs, string Symbol, bool Snapshot, long FirstId, long LastId, long PreviousId, long Number, SyntheticLevel[] Levels)
    : SyntheticEvent(TimeNs, Symbol);
