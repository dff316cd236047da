using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace TickEngine.Cli.CommandLine;

/// <summary>
/// A verb's help: a one-line summary (what the verb list shows) and the details with examples (what
/// <c>tickengine VERB --help</c> adds after the options).
/// </summary>
public static class Verb
{
    private static readonly Dictionary<Command, string> Details = new();

    public static Command Create(string name, string summary, string details)
    {
        var cmd = new Command(name, summary);
        if (!string.IsNullOrWhiteSpace(details)) lock (Details) Details[cmd] = details.TrimEnd();
        return cmd;
    }

    /// <summary>Makes <paramref name="root"/>'s --help print a verb's details and examples after its options.</summary>
    public static void UseDetailedHelp(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().First();
        if (help.Action is HelpAction standard) help.Action = new DetailedHelp(standard);
    }

    /// <summary>True when the parse asks for help (which is shown whatever else is wrong with the command line).</summary>
    public static bool IsHelp(ParseResult r) => r.Action is DetailedHelp or HelpAction;

    private sealed class DetailedHelp(HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int code = standard.Invoke(parseResult);
            string? details;
            lock (Details) Details.TryGetValue(parseResult.CommandResult.Command, out details);
            if (details is not null)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Details:");
                foreach (var line in details.Split('\n')) output.WriteLine(("  " + line.TrimEnd('\r')).TrimEnd());
                output.WriteLine();
            }
            return code;
        }
    }
}
