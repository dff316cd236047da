using TickEngine.Engine.Venues;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

public enum OrderSide : byte { Buy = 1, Sell = 2 }
