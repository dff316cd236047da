using System.Runtime.CompilerServices;

namespace TickEngine.Tests.Shared;

/// <summary>
/// The test host's thread pool starts with enough threads for what the tests do in one process: simulators, recorders
/// and CLI runs side by side, several of them blocking a pool thread while they wait (as a command line does). Without
/// it, the pool's slow ramp-up on 2 cores starves the loopback servers' continuations and a simulator meant to send
/// 1,000 messages a second sends 50.
/// </summary>
internal static class TestHost
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
