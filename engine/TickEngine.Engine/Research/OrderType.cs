using TickEngine.Engine.Venues;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

public enum OrderType : byte { Market, Limit }
