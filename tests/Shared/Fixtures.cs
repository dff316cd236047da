namespace TickEngine.Tests.Shared;

/// <summary>Facts of the real captures in <c>../shared/fixtures</c> (its README states them), named once for every test.</summary>
public static class Fixtures
{
    /// <summary>Binance spot BTCUSDT, 2024-08-08, 346 s (<see cref="RepoPaths.BinanceSpotCapture"/>).</summary>
    public static class BinanceSpot
    {
        /// <summary>Lines of the capture (frames and the REST snapshot).</summary>
        public const long Lines = 41_249;

        public const int Trades = 9_757;
        public const int DepthUpdates = 3_451;
        public const int BookTickers = 28_040;

        /// <summary>Level changes the recording stores (the REST snapshot's levels and the diffs' changes).</summary>
        public const int LevelChanges = 126_073;
    }
}
