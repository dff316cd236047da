namespace TickEngine.Engine.Ring;

/// <summary>
/// Several handlers run one after the other on one thread (Disruptor-net's <c>AggregateEventHandler</c>): each
/// sees every event in order. On a machine with few cores, one consumer thread for all writers leaves a core to
/// the producer instead of making five threads take turns on it (used for capture files). An exception from a
/// handler stops the group and is reported with that handler's name (<see cref="HandlerException"/>); shutdown
/// reaches every handler even when one fails.
/// </summary>
public sealed class AggregateEventHandler<T>(IReadOnlyList<IValueEventHandler<T>> handlers) : IValueEventHandler<T> where T : struct
{
    private readonly IValueEventHandler<T>[] _handlers = handlers.ToArray();

    public IReadOnlyList<IValueEventHandler<T>> Handlers => _handlers;

    public void OnEvent(ref T data, long sequence, bool endOfBatch)
    {
        var hs = _handlers;
        int i = 0;
        try
        {
            for (; i < hs.Length; i++) hs[i].OnEvent(ref data, sequence, endOfBatch);
        }
        catch (Exception e) when (e is not HandlerException)
        {
            throw new HandlerException(hs[i].GetType().Name, e);
        }
    }

    public void OnStart()
    {
        foreach (var h in _handlers) h.OnStart();
    }

    public void OnTimeout(long sequence)
    {
        foreach (var h in _handlers)
        {
            try { h.OnTimeout(sequence); }
            catch (Exception e) when (e is not HandlerException) { throw new HandlerException(h.GetType().Name, e); }
        }
    }

    public void OnShutdown()
    {
        HandlerException? first = null;
        foreach (var h in _handlers)
        {
            try { h.OnShutdown(); }
            catch (Exception e) { first ??= e as HandlerException ?? new HandlerException(h.GetType().Name, e); }
        }
        if (first is not null) throw first;
    }
}
