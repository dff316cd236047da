using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace TickEngine.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- alloc-gate [--baseline FILE] [--invocations N]</c>:
/// runs every hot-path benchmark named in the committed baseline (perf/results/allocation-baseline.json) in
/// process, the way BenchmarkDotNet does (global set-up, warm-up invocations, then N measured invocations),
/// measures the bytes allocated per operation (whole process, <c>GC.GetTotalAllocatedBytes(precise)</c>, over the
/// benchmark's OperationsPerInvoke) and fails (exit 1) when one rises above its baseline (by more than half a byte,
/// or 1 % of a non-zero baseline, which is a per-invocation set-up cost that varies slightly). It times nothing, so it
/// is safe on a noisy machine; BenchmarkDotNet's MemoryDiagnoser gives the same figures with the timings.
/// </summary>
public static class AllocationGate
{
    public static int Run(string[] args)
    {
        string path = HarnessArgs.Value(args, "--baseline") ?? FindBaseline();
        int invocations = (int)HarnessArgs.Long(args, "--invocations", 3);
        var baseline = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(path))!
            .Where(kv => !kv.Key.StartsWith('_')).ToDictionary(kv => kv.Key, kv => kv.Value.GetDouble());
        var types = typeof(AllocationGate).Assembly.GetTypes();
        int failed = 0;
        Console.WriteLine($"allocation gate: {baseline.Count} hot-path benchmarks against {path}");
        Console.WriteLine($"  {"benchmark",-48} {"B/op",10} {"baseline",10}");
        foreach (var (name, limit) in baseline)
        {
            string typeName = name[..name.IndexOf('.')], methodName = name[(name.IndexOf('.') + 1)..];
            var type = types.SingleOrDefault(t => t.Name == typeName);
            var method = type?.GetMethod(methodName);
            var attribute = method?.GetCustomAttribute<BenchmarkAttribute>();
            if (type is null || method is null || attribute is null)
            {
                Console.WriteLine($"  {name,-48} {"missing",10} {limit,10:0}   FAIL: no such benchmark");
                failed++;
                continue;
            }
            double perOp = Measure(type, method, attribute.OperationsPerInvoke, invocations);
            // Half a byte over (BenchmarkDotNet's rounding) or 1 % of a set-up cost spread over the operations; a
            // single allocation per operation is at least 24 bytes and always fails.
            bool ok = perOp <= limit + Math.Max(0.5, limit * 0.01);
            if (!ok) failed++;
            Console.WriteLine($"  {name,-48} {perOp.ToString(perOp < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture),10} {limit,10:0}   {(ok ? "ok" : "FAIL: above the baseline")}");
        }
        Console.WriteLine(failed == 0 ? "allocation gate: passed" : $"allocation gate: {failed} above the baseline");
        return failed == 0 ? 0 : 1;
    }

    private static double Measure(Type type, MethodInfo method, int operationsPerInvoke, int invocations)
    {
        object instance = Activator.CreateInstance(type)!;
        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            var run = typeof(AllocationGate).GetMethod(nameof(Typed), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(method.ReturnType == typeof(void) ? typeof(object) : method.ReturnType);
            var loop = (Func<object, MethodInfo, int, long>)run.CreateDelegate(typeof(Func<object, MethodInfo, int, long>));
            loop(instance, method, 2); // warm-up: JIT tiers, pools, lazy state
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long allocated = loop(instance, method, invocations);
            return allocated / (double)invocations / operationsPerInvoke;
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    /// <summary>Calls the benchmark <paramref name="n"/> times through a typed delegate (no boxing) and returns the bytes allocated meanwhile.</summary>
    private static long Typed<T>(object instance, MethodInfo method, int n)
    {
        var f = method.CreateDelegate<Func<T>>(instance);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < n; i++) f();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static void Invoke<TAttribute>(Type type, object instance) where TAttribute : Attribute
    {
        foreach (var m in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null)) m.Invoke(instance, null);
    }

    private static string FindBaseline()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "perf", "results", "allocation-baseline.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("perf/results/allocation-baseline.json not found above " + AppContext.BaseDirectory);
    }
}
