using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>Something a synthetic market does, in no venue's words: the dialects write it as their venue does.</summary>
public abstract record SyntheticEvent(long TimeNs, string Symbol);
