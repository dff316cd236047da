using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using TickEngine.Benchmarks.Storage;

// Benchmarks: dotnet run -c Release --project perf/TickEngine.Benchmarks -- --filter '*Storage*'
// Harnesses: storage-size [--rows N], record-capture [--repeat N] [--capture FILE] [--ring N] [--only parse|book|whole],
//            capture-day [--frames N] [--out FILE], peer-tardis [--capture FILE ...] [--day] [--repeat N],
//            cli-startup [--repeat N], ring-latency [--events N] [--rate R], replay-pacing [--speed X] [--seconds S],
//            replay-scale [--trades N] [--deltas N], backtest-scale [--trades N] [--deltas N] [--strategy mm|imbalance] [--keep DIR],
//            sink-speed [--repeat N] [--capture FILE]
// Allocation gate (CI): alloc-gate [--baseline FILE] [--invocations N]
// End-to-end live latency and throughput: tickengine bench latency|throughput (tools/TickEngine.Bench)
if (args.Length > 0 && args[0] == "storage-size") return StorageSizeReport.Run(args);
if (args.Length > 0 && args[0] == "replay-pacing") return TickEngine.Benchmarks.Replay.ReplayHarness.Pacing(args);
if (args.Length > 0 && args[0] == "replay-scale") return TickEngine.Benchmarks.Replay.ReplayHarness.Scale(args);
if (args.Length > 0 && args[0] == "backtest-scale") return TickEngine.Benchmarks.Research.BacktestHarness.Run(args);
if (args.Length > 0 && args[0] == "chart-scale") return TickEngine.Benchmarks.Research.ChartHarness.Run(args);
if (args.Length > 0 && args[0] == "sqlite-speed") return TickEngine.Benchmarks.Sinks.SqliteHarness.Run(args);
if (args.Length > 0 && args[0] == "pg-speed") return TickEngine.Benchmarks.Sinks.PostgresHarness.Run(args);
if (args.Length > 0 && args[0] == "service-subscribers") return TickEngine.Benchmarks.Service.SubscribersHarness.Run(args);
if (args.Length > 0 && args[0] == "alloc-gate") return TickEngine.Benchmarks.AllocationGate.Run(args);
if (args.Length > 0 && args[0] == "ring-latency") return TickEngine.Benchmarks.Ring.RingLatencyHarness.Run(args);
if (args.Length > 0 && args[0] == "cli-startup") return TickEngine.Benchmarks.Cli.CliStartup.Run(args);
if (args.Length > 0 && args[0] == "peer-tardis") return TickEngine.Benchmarks.Pipeline.PeerHarness.Run(args);
if (args.Length > 0 && args[0] == "capture-day") return TickEngine.Benchmarks.Pipeline.DayCapture.Run(args);
if (args.Length > 0 && args[0] == "sink-speed") return TickEngine.Benchmarks.Sinks.SinkHarness.Run(args);
if (args.Length > 0 && args[0] == "record-capture") return TickEngine.Benchmarks.Pipeline.RecordHarness.Run(args);
var config = DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
BenchmarkSwitcher.FromAssembly(typeof(StorageBenchmarks).Assembly).Run(args, config);
return 0;
