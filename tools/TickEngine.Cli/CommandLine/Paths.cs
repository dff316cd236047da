using System.CommandLine;

namespace TickEngine.Cli.CommandLine;

/// <summary>The data path of verbs that took it as a positional PATH in earlier releases (now <c>--data</c>).</summary>
public static class Paths
{
    public static string DataOrPositional(Spelled<string?> data, Argument<string?> positional, ParseResult r, CliContext ctx)
    {
        string? p = data.Get(r, ctx.Error);
        if (r.GetValue(positional) is { } old)
        {
            if (p is not null) throw new UsageException("give the path once, as --data");
            ctx.Error.WriteLine("note: the PATH argument is now spelled --data; the old spelling is accepted until the next release");
            p = old;
        }
        return p ?? throw new UsageException("--data is required: a segment file or a data root");
    }
}
