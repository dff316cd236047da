using System.Diagnostics;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// Runs one <see cref="ISink"/> on a thread of its own, fed through a bounded queue: handler threads
/// <see cref="Offer"/> batches as the segments commit them and go on; the runner gives them to the sink, asks it to
/// flush, and tracks, per stream, what the sink was given and what it holds durably. Whenever the sink is behind
/// the segments (a restart, a full queue under <see cref="FailurePolicy.CatchUp"/>, a failure it recovered from), the
/// runner reads the missing rows back from the segments, so the sink sees every committed row once and in order.
/// The queue pauses at <see cref="SinkOptions.PauseRows"/> queued rows and resumes under
/// <see cref="SinkOptions.ResumeRows"/> (as a pipe's writer thresholds do); what a full queue means is the
/// <see cref="FailurePolicy"/>'s.
/// </summary>
public sealed class SinkRunner
{
    internal struct CounterSet
    {
        public long Offered, Given, Durable, CaughtUp, Deferred, Dropped, Unreadable, Failures, WaitTicks, QueuePeak;
    }

    internal CounterSet Counters;

    private readonly string _root;
    private readonly object _gate = new();
    private readonly Queue<RowBatch> _queue = new();
    private readonly Dictionary<SegmentId, SegmentState> _segments = new();
    private readonly RowBatchPool _pool = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly ManualResetEventSlim _done = new();
    private readonly Action<SinkRunner, Exception>? _onStop;
    private readonly long _pauseRows, _resumeRows;
    private long _queuedRows, _pendingRows;
    private bool _paused, _completing, _initialDone;
    private volatile bool _stopped;
    private volatile int _state;
    private volatile string? _lastError;
    private Thread? _thread;
    private Dictionary<SegmentId, long> _startRows = new();
    private Dictionary<SegmentId, long>? _origins;
    private long _startTicks;
    private int _failuresInARow;
    private bool _needCatchUp;
    private bool _recovering; // since a failure: flush after every batch, so a sink that fails often still moves forward
    private int _givenSinceFlush;
    private long _lastFlushTicks = Stopwatch.GetTimestamp();

    /// <param name="root">The data root the sink's rows are committed to (and read back from).</param>
    /// <param name="onStop">Called (on the runner's thread) when the sink fails under <see cref="FailurePolicy.Stop"/>.</param>
    public SinkRunner(string root, SinkRegistration registration, Action<SinkRunner, Exception>? onStop = null)
    {
        _root = root;
        Sink = registration.Sink;
        Options = registration.Options;
        _onStop = onStop;
        _pauseRows = Math.Max(1, Options.PauseRows);
        _resumeRows = Math.Max(0, Options.EffectiveResumeRows);
        Statistics = new SinkStatistics(this);
    }

    public ISink Sink { get; }
    public SinkOptions Options { get; }
    public SinkStatistics Statistics { get; }
    public SinkState State => (SinkState)_state;

    /// <summary>The failure that stopped the run (<see cref="FailurePolicy.Stop"/>), if any.</summary>
    public Exception? StopError { get; private set; }

    internal string? LastError => _lastError;

    private void SetState(SinkState s) => _state = (int)s;

    /// <summary>
    /// Before the recording writes a row: notes how many rows every segment of the root holds, attaches a durable
    /// sink to the root if this is its first run here (<see cref="SinkLedger"/>), and starts the runner's thread
    /// (which opens the sink and catches it up).
    /// </summary>
    public void Start()
    {
        var problems = new List<string>();
        _startRows = StreamSegments.Rows(_root, Sink.Accepts, problems);
        if (Sink.Durable)
        {
            _origins = SinkLedger.Load(_root, Sink.Target, problems);
            if (_origins is null)
            {
                var rows = Options.Start == SinkStart.Beginning ? new Dictionary<SegmentId, long>() : _startRows;
                SinkLedger.Attach(_root, Sink.Target, rows);
                _origins = new Dictionary<SegmentId, long>(rows);
            }
        }
        foreach (var p in problems) Problem(p);
        _startTicks = Stopwatch.GetTimestamp();
        _thread = new Thread(Run) { IsBackground = true, Name = "sink " + Sink.Name };
        _thread.Start();
    }

    private SegmentState SegmentLocked(SegmentId id)
    {
        if (_segments.TryGetValue(id, out var s)) return s;
        // Where the sink starts in a segment it holds nothing of: the rows the segment held when the sink was
        // attached to the root (a durable sink), or when this run started (any other); a segment that did not
        // exist then, at its first row.
        var origins = Sink.Durable ? _origins : _startRows;
        long origin = origins is not null && origins.TryGetValue(id, out var o) ? o : 0;
        s = new SegmentState(id, origin);
        if (_startRows.TryGetValue(id, out var rows)) s.Committed = rows;
        _segments[id] = s;
        return s;
    }

    /// <summary>
    /// A handler thread hands over a committed batch (retained once for this runner; the runner releases it).
    /// Under a full queue the policy decides: wait, drop, or leave the rows to be read back from the segments.
    /// </summary>
    internal void Offer(RowBatch batch)
    {
        lock (_gate)
        {
            var seg = SegmentLocked(SegmentId.Of(batch.Stream, batch.Start));
            Counters.Offered += batch.Count;
            if (batch.End.Row > seg.Committed) seg.Committed = batch.End.Row;
            if (_stopped || _abandon.IsCancellationRequested)
            {
                // The run is ending without the sink: the rows stay in the segments (a later run catches up).
                AddPending(seg, batch);
                batch.Release();
                return;
            }
            if (!_paused && _queuedRows >= _pauseRows) _paused = true;
            if (_paused)
            {
                if (Options.Policy == FailurePolicy.Drop)
                {
                    Counters.Dropped += batch.Count;
                    batch.Release();
                    return;
                }
                if (Options.Policy == FailurePolicy.CatchUp || !_initialDone)
                {
                    // Left to the segments: the runner reads these rows back when it has room (a backlog being read
                    // at the start does not hold the recording under any policy).
                    Counters.Deferred += batch.Count;
                    AddPending(seg, batch);
                    batch.Release();
                    return;
                }
                long t0 = Stopwatch.GetTimestamp();
                while (_paused && _initialDone && !_stopped && !_abandon.IsCancellationRequested) Monitor.Wait(_gate, 100);
                Counters.WaitTicks += Stopwatch.GetTimestamp() - t0;
                if (_stopped || _abandon.IsCancellationRequested)
                {
                    AddPending(seg, batch);
                    batch.Release();
                    return;
                }
            }
            AddPending(seg, batch);
            _queue.Enqueue(batch);
            _queuedRows += batch.Count;
            if (_queuedRows > Counters.QueuePeak) Counters.QueuePeak = _queuedRows;
            Monitor.PulseAll(_gate);
        }
    }

    private void AddPending(SegmentState seg, RowBatch batch)
    {
        seg.Pending.PushBack(new PendingRange { From = batch.Start.Row, To = batch.End.Row, Ticks = Stopwatch.GetTimestamp() });
        _pendingRows += batch.Count;
    }

    /// <summary>What the segments hold that the sink does not hold durably: rows, and seconds since the oldest was committed.</summary>
    public (long Rows, double Seconds) Lag()
    {
        lock (_gate)
        {
            long oldest = long.MaxValue;
            foreach (var s in _segments.Values) oldest = Math.Min(oldest, s.Pending.OldestTicks);
            double seconds = oldest == long.MaxValue ? 0 : Math.Max(0, Stopwatch.GetTimestamp() - oldest) / (double)Stopwatch.Frequency;
            return (_pendingRows, seconds);
        }
    }

    /// <summary>
    /// No more batches will be offered: the runner gives the sink what is queued, catches it up to every row
    /// offered, and flushes finally. Waits until that is done, <see cref="SinkOptions.DrainTimeout"/> has passed,
    /// or <paramref name="cancel"/> is cancelled and then <paramref name="grace"/> has passed; then gives up
    /// (<see cref="SinkState.Abandoned"/>: a durable sink catches up in a later run). True when the sink finished.
    /// </summary>
    public bool Complete(CancellationToken cancel, TimeSpan grace)
    {
        lock (_gate)
        {
            _completing = true;
            Monitor.PulseAll(_gate);
        }
        if (_thread is null) return true;
        var deadline = Stopwatch.StartNew();
        var drain = Options.DrainTimeout;
        while (!_done.IsSet)
        {
            if (cancel.IsCancellationRequested)
            {
                _done.Wait(grace);
                break;
            }
            var left = drain - deadline.Elapsed;
            if (drain != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero) break;
            var step = TimeSpan.FromMilliseconds(50);
            try { _done.Wait(drain == Timeout.InfiniteTimeSpan || left > step ? step : left, cancel); }
            catch (OperationCanceledException) { }
        }
        if (_done.IsSet) return State == SinkState.Done;
        Abandon();
        _done.Wait(TimeSpan.FromMilliseconds(100));
        return false;
    }

    /// <summary>Gives up now: handlers waiting for room go on, the runner stops at its next step (a sink call in progress is left).</summary>
    public void Abandon()
    {
        if (_done.IsSet) return;
        _abandon.Cancel();
        lock (_gate) Monitor.PulseAll(_gate);
        if (!_done.IsSet && State is not (SinkState.Done or SinkState.Stopped)) SetState(SinkState.Abandoned);
    }

    private sealed class AbandonedException : Exception;
    private sealed class StoppedException : Exception;

    /// <summary>A call to the sink threw.</summary>
    private sealed class SinkCallException(string call, Exception inner, RowBatch? batch, SegmentState? segment) : Exception(inner.Message, inner)
    {
        public string Call { get; } = call;
        public RowBatch? Batch { get; } = batch;
        public SegmentState? Segment { get; } = segment;
    }

    private void Run()
    {
        try
        {
            Open();
            InitialCatchUp();
            Loop();
            SetState(SinkState.Done);
        }
        catch (AbandonedException) { SetState(SinkState.Abandoned); }
        catch (StoppedException) { SetState(SinkState.Stopped); }
        catch (Exception e)
        {
            Problem($"the runner failed: {e.GetType().Name}: {e.Message}");
            SetState(SinkState.Abandoned);
        }
        finally
        {
            lock (_gate)
            {
                while (_queue.Count > 0) _queue.Dequeue().Release();
                _queuedRows = 0;
                _paused = false;
                _stopped |= State != SinkState.Done;
                Monitor.PulseAll(_gate);
            }
            if (!_abandon.IsCancellationRequested)
            {
                try { Sink.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); }
                catch (Exception e) { Problem($"closing: {Describe(e)}"); }
            }
            _done.Set();
        }
    }

    private void CheckAbandoned()
    {
        if (_abandon.IsCancellationRequested) throw new AbandonedException();
    }

    private void Open()
    {
        SetState(SinkState.Opening);
        while (true)
        {
            CheckAbandoned();
            try
            {
                var durable = Wait(Sink.OpenAsync(_abandon.Token));
                ApplyDurable(durable, reset: true);
                _failuresInARow = 0;
                return;
            }
            catch (Exception e) when (e is not (AbandonedException or StoppedException) && !_abandon.IsCancellationRequested)
            {
                Failed("open", e);
                if (Options.Policy == FailurePolicy.Stop) StopRun(e);
                Backoff();
            }
        }
    }

    /// <summary>Catches the sink up, from what it holds of each segment to the rows the segment held when the run started.</summary>
    private void InitialCatchUp()
    {
        SetState(SinkState.CatchingUp);
        var work = new List<(SegmentState Segment, long To)>();
        lock (_gate)
        {
            foreach (var (id, rows) in _startRows)
            {
                var s = SegmentLocked(id);
                // A sink that keeps nothing across runs starts at the run's start.
                if (s.Given < 0) s.Given = Sink.Durable ? s.GivenOrOrigin : rows;
                if (s.Given > rows)
                {
                    Problem($"{Sink.Target} holds rows of {id} up to row {s.Given}, beyond the segment's {rows}: they are not this data root's; rows from {rows} on are given again");
                    s.Given = rows;
                }
                else if (s.Given < rows)
                {
                    work.Add((s, rows));
                    // The backlog counts as lag from the start of the run (its rows were committed before).
                    s.Pending.PushFront(new PendingRange { From = s.Given, To = rows, Ticks = _startTicks });
                    _pendingRows += rows - s.Given;
                }
            }
            foreach (var s in _segments.Values)
                if (s.Durable >= 0 && !_startRows.ContainsKey(s.Id))
                    Problem($"{Sink.Target} holds rows of {s.Id}, a segment this data root does not have");
        }
        foreach (var (s, to) in work)
            while (s.Given < to) WithRetries(() => CatchUp(s, to)); // under Drop a failure skips a batch: go on after it
        lock (_gate)
        {
            _initialDone = true;
            Monitor.PulseAll(_gate);
        }
        SetState(SinkState.Live);
    }

    private void Loop()
    {
        while (true)
        {
            if (_needCatchUp)
            {
                WithRetries(CatchUpStreamsBehind);
                _needCatchUp = false;
            }
            RowBatch? batch = null;
            bool idle = false, completing, empty;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_completing && !_abandon.IsCancellationRequested)
                {
                    if (!Monitor.Wait(_gate, 1000)) { idle = true; break; }
                }
                CheckAbandoned();
                if (_queue.Count > 0)
                {
                    batch = _queue.Dequeue();
                    _queuedRows -= batch.Count;
                    if (_paused && _queuedRows <= _resumeRows)
                    {
                        _paused = false;
                        Monitor.PulseAll(_gate);
                    }
                }
                completing = _completing;
                empty = _queue.Count == 0;
            }
            if (batch is not null)
            {
                WithRetries(() => Deliver(batch), batch);
                // Flush when the queue is drained, and at least every 64 batches or every second while it is not.
                if (empty || _givenSinceFlush >= 64 || Stopwatch.GetElapsedTime(_lastFlushTicks) >= TimeSpan.FromSeconds(1))
                    WithRetries(() => Flush(SinkFlushKind.Batch));
                continue;
            }
            if (completing) break;
            if (idle)
            {
                WithRetries(CatchUpStreamsBehind);
                WithRetries(() => Flush(SinkFlushKind.Idle));
            }
        }
        WithRetries(CatchUpStreamsBehind);
        WithRetries(() => Flush(SinkFlushKind.Final));
    }

    /// <summary>
    /// Runs a step; when the sink fails, applies the policy (stop the run, drop what was lost, or recover and give
    /// the lost rows again from the segments) and, except under <see cref="FailurePolicy.Drop"/>, runs the catch-up
    /// until it succeeds. A batch being delivered is released here.
    /// </summary>
    private void WithRetries(Action step, RowBatch? batch = null)
    {
        try
        {
            step();
        }
        catch (SinkCallException f)
        {
            Failure(f);
            if (Options.Policy != FailurePolicy.Drop) _needCatchUp = true;
        }
        finally
        {
            batch?.Release();
        }
        while (_needCatchUp && !_abandon.IsCancellationRequested)
        {
            try
            {
                CatchUpStreamsBehind();
                Flush(SinkFlushKind.Batch);
                _needCatchUp = false;
                _recovering = false;
                if (State == SinkState.Retrying) SetState(_initialDone ? SinkState.Live : SinkState.CatchingUp);
            }
            catch (SinkCallException f) { Failure(f); }
        }
        CheckAbandoned();
    }

    /// <summary>Gives a queued batch: first whatever is missing before it in its segment (from the segment), then the rows the sink does not have yet.</summary>
    private void Deliver(RowBatch batch)
    {
        SegmentState s;
        lock (_gate) s = SegmentLocked(SegmentId.Of(batch.Stream, batch.Start));
        if (s.Given < 0) s.Given = s.GivenOrOrigin;
        if (batch.End.Row <= s.Given) return; // given already, read back from the segment
        if (batch.Start.Row > s.Given && !(Options.Policy == FailurePolicy.Drop && _initialDone)) CatchUp(s, batch.Start.Row);
        if (batch.Start.Row >= s.Given)
        {
            Give(s, batch);
            return;
        }
        // The sink has the batch's first rows (read back from the segment): give the rest.
        int skip = (int)(s.Given - batch.Start.Row);
        var tail = _pool.Rent(batch.Stream, batch.Schema, batch.Count - skip);
        try
        {
            var row = new long[batch.Schema.ColumnCount];
            for (int r = skip; r < batch.Count; r++)
            {
                batch.CopyRow(r, row);
                tail.Add(row);
            }
            tail.Start = batch.Start.Plus(skip);
            Give(s, tail);
        }
        finally { tail.Release(); }
    }

    private void Give(SegmentState s, RowBatch batch)
    {
        CheckAbandoned();
        try
        {
            Wait(Sink.WriteAsync(batch, _abandon.Token));
        }
        catch (Exception e) when (!_abandon.IsCancellationRequested && e is not (AbandonedException or StoppedException))
        {
            throw new SinkCallException("write", e, batch, s);
        }
        s.Given = batch.End.Row;
        Interlocked.Add(ref Counters.Given, batch.Count);
        if (batch.FromSegments) Interlocked.Add(ref Counters.CaughtUp, batch.Count);
        _failuresInARow = 0; // it takes rows again: the next failure waits the shortest back-off
        _givenSinceFlush++;
        if (_recovering) Flush(SinkFlushKind.Batch);
    }

    private void Flush(SinkFlushKind kind)
    {
        CheckAbandoned();
        SinkFlushResult result;
        try
        {
            result = Wait(Sink.FlushAsync(kind, _abandon.Token));
        }
        catch (Exception e) when (!_abandon.IsCancellationRequested && e is not (AbandonedException or StoppedException))
        {
            throw new SinkCallException(kind == SinkFlushKind.Final ? "final flush" : "flush", e, null, null);
        }
        if (Sink.Durable) ApplyDurable(result.Durable, reset: false);
        else
        {
            lock (_gate)
                foreach (var s in _segments.Values)
                    if (s.Given >= 0) MarkDurable(s, s.Given);
        }
        _failuresInARow = 0;
        _givenSinceFlush = 0;
        _lastFlushTicks = Stopwatch.GetTimestamp();
        if (Options.Policy == FailurePolicy.Drop) _recovering = false;
    }

    /// <summary>
    /// The sink's durable ends: rows before them are no longer lag. With <paramref name="reset"/> (open, recovery),
    /// the ends are all the sink holds, and what it was given is set back to them.
    /// </summary>
    private void ApplyDurable(IReadOnlyList<SinkDurable> durable, bool reset)
    {
        lock (_gate)
        {
            if (reset)
                foreach (var s in _segments.Values) s.Durable = -1;
            foreach (var d in durable) MarkDurable(SegmentLocked(SegmentId.Of(d.Stream, d.End)), d.End.Row);
            if (reset)
                foreach (var s in _segments.Values)
                    if (s.Given >= 0) s.Given = s.Durable >= 0 ? s.Durable : s.Origin;
        }
    }

    private void MarkDurable(SegmentState s, long end)
    {
        if (s.Durable >= end) return;
        s.Durable = end;
        long rows = s.Pending.RemoveUntil(end);
        _pendingRows -= rows;
        Counters.Durable += rows;
    }

    /// <summary>Gives every segment the rows committed and offered that the sink was not given (deferred, or lost in a failure).</summary>
    private void CatchUpStreamsBehind()
    {
        if (Options.Policy == FailurePolicy.Drop && _initialDone) return;
        var behind = new List<(SegmentState, long)>();
        lock (_gate)
            foreach (var s in _segments.Values)
            {
                if (s.Committed == 0) continue;
                if (s.Given < 0) s.Given = s.GivenOrOrigin;
                if (s.Given < s.Committed) behind.Add((s, s.Committed));
            }
        foreach (var (s, to) in behind) CatchUp(s, to);
    }

    /// <summary>Gives a segment's committed rows from what the sink was given up to row <paramref name="to"/>, read from the segment.</summary>
    private void CatchUp(SegmentState s, long to)
    {
        if (s.Given < 0) s.Given = s.GivenOrOrigin;
        if (s.Given >= to) return;
        var previous = State;
        int given = 0;
        string path = StreamSegments.PathOf(_root, s.Id);
        SegmentReader reader;
        try { reader = SegmentReader.Open(path); }
        catch (StorageFormatException e)
        {
            Problem($"reading back {path}: {e.Message}; its rows {s.Given:N0} to {to:N0} are left out");
            Unreadable(s, to);
            return;
        }
        using (reader)
        {
            long startRow = s.Given, endRow = Math.Min(to, reader.TotalRows);
            var buffer = reader.CreateBuffer();
            var blocks = reader.Blocks;
            for (int i = 0; i < blocks.Count && s.Given < endRow; i++)
            {
                CheckAbandoned();
                var info = blocks[i];
                if (info.FirstRow + info.Rows <= startRow) continue;
                if (info.FirstRow >= endRow) break;
                int a = (int)Math.Max(0, s.Given - info.FirstRow), e = (int)Math.Min(info.Rows, endRow - info.FirstRow);
                if (e <= a) continue;
                try { reader.ReadBlock(i, buffer); }
                catch (StorageFormatException ex)
                {
                    Problem($"reading back {path}: {ex.Message}; its {e - a:N0} rows are left out");
                    Unreadable(s, info.FirstRow + e);
                    continue;
                }
                if (given == 0 && previous == SinkState.Live) SetState(SinkState.CatchingUp);
                var batch = _pool.Rent(s.Id.Stream, reader.Schema, e - a);
                try
                {
                    batch.Start = s.Id.At(info.FirstRow + a);
                    batch.FromSegments = true;
                    batch.AddBlock(buffer, a, e - a);
                    Give(s, batch);
                }
                finally { batch.Release(); }
                if (++given % 64 == 0) Flush(SinkFlushKind.Batch);
            }
        }
        // Rows the segment does not have (damage) cannot be given: the sink goes on after them.
        if (s.Given < to) Unreadable(s, to);
        if (given > 0 && previous == SinkState.Live) SetState(SinkState.Live);
    }

    private void Unreadable(SegmentState s, long to)
    {
        if (s.Given >= to) return;
        Interlocked.Add(ref Counters.Unreadable, to - s.Given);
        lock (_gate)
        {
            long removed = s.Pending.RemoveUntil(to);
            _pendingRows -= removed;
        }
        s.Given = to;
    }

    /// <summary>A failed call: the policy's answer. Returns when the runner can go on (or throws to stop).</summary>
    private void Failure(SinkCallException f)
    {
        Failed(f.Call, f.InnerException!);
        if (Options.Policy == FailurePolicy.Stop) StopRun(f.InnerException!);
        SetState(SinkState.Retrying);
        _recovering = true;
        while (true)
        {
            Backoff();
            try
            {
                var durable = Wait(Sink.RecoverAsync(_abandon.Token));
                if (Options.Policy == FailurePolicy.Drop) DropLost(durable, f);
                else if (Sink.Durable) ApplyDurable(durable, reset: true);
                else
                {
                    // A sink that keeps nothing: what it was given since its last flush is given again.
                    lock (_gate)
                        foreach (var s in _segments.Values)
                            if (s.Given >= 0) s.Given = s.Durable >= 0 ? s.Durable : s.Origin;
                }
                break;
            }
            catch (Exception e) when (e is not (AbandonedException or StoppedException) && !_abandon.IsCancellationRequested)
            {
                Failed("recover", e);
            }
        }
        if (Options.Policy == FailurePolicy.Drop) SetState(_initialDone ? SinkState.Live : SinkState.CatchingUp);
    }

    /// <summary>
    /// <see cref="FailurePolicy.Drop"/>: what the sink lost (given but not durable) and the failed batch are dropped,
    /// counted; the runner goes on after them.
    /// </summary>
    private void DropLost(IReadOnlyList<SinkDurable> durable, SinkCallException f)
    {
        lock (_gate)
        {
            var kept = new Dictionary<SegmentId, long>();
            foreach (var d in durable) kept[SegmentId.Of(d.Stream, d.End)] = d.End.Row;
            foreach (var s in _segments.Values)
            {
                long given = s.Given;
                if (f.Segment == s && f.Batch is { } b && b.End.Row > given) given = b.End.Row;
                if (given < 0) continue;
                long durableEnd = Sink.Durable ? (kept.TryGetValue(s.Id, out var k) ? k : s.Durable >= 0 ? s.Durable : s.Origin) : s.Durable >= 0 ? s.Durable : s.Origin;
                MarkDurable(s, durableEnd);
                long lost = s.Pending.RemoveUntil(given);
                _pendingRows -= lost;
                Counters.Dropped += lost;
                s.Given = given;
            }
        }
    }

    private void StopRun(Exception e)
    {
        StopError = e;
        _stopped = true;
        SetState(SinkState.Stopped);
        lock (_gate)
        {
            while (_queue.Count > 0) _queue.Dequeue().Release();
            _queuedRows = 0;
            _paused = false;
            Monitor.PulseAll(_gate);
        }
        try { _onStop?.Invoke(this, e); } catch (Exception) { }
        throw new StoppedException();
    }

    private void Backoff()
    {
        double ms = Options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_failuresInARow - 1, 20));
        var delay = TimeSpan.FromMilliseconds(Math.Min(Math.Max(ms, 1), Options.MaxRetryDelay.TotalMilliseconds));
        _abandon.Token.WaitHandle.WaitOne(delay);
        CheckAbandoned();
    }

    private void Failed(string call, Exception e)
    {
        Interlocked.Increment(ref Counters.Failures);
        _failuresInARow++;
        _lastError = $"{call}: {Describe(e)}";
    }

    private void Problem(string text) => _lastError = text;

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    private static void Wait(ValueTask t)
    {
        if (t.IsCompletedSuccessfully) return;
        t.AsTask().GetAwaiter().GetResult();
    }

    private static T Wait<T>(ValueTask<T> t) => t.IsCompletedSuccessfully ? t.Result : t.AsTask().GetAwaiter().GetResult();
}
