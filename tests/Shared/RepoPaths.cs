namespace TickEngine.Tests.Shared;

/// <summary>Where the repository and the shared fixtures are, found from the test binaries' folder.</summary>
public static class RepoPaths
{
    public static string Root
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !File.Exists(Path.Combine(d.FullName, "TickEngine.sln"))) d = d.Parent;
            return d?.FullName ?? throw new InvalidOperationException("TickEngine.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>../shared/fixtures beside the project root.</summary>
    public static string Fixtures => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));

    public static string Fixture(string relative)
    {
        string path = Path.Combine(Fixtures, relative);
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture {relative} is missing: the tests read ../shared/fixtures beside the project root", path);
        return path;
    }

    public static string BinanceSpotCapture => Fixture("binance/hftbacktest_spot_btcusdt_20240808.gz");
}
