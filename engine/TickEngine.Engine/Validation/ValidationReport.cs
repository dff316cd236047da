using System.Globalization;
using TickEngine.Engine.Schemas;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>What validation found: every series' report, and the totals.</summary>
public sealed record ValidationReport(IReadOnlyList<SeriesReport> Series, int Segments)
{
    public long Problems => Series.Sum(s => s.Problems.Values.Sum());
    public long Observations => Series.Sum(s => s.Observations.Values.Sum());
}
