using System.Globalization;
using TickEngine.Cli;
using TickEngine.Cli.CommandLine;

// Numbers, times and percentages print the same on every machine (a German or Turkish locale must not turn
// "2.014 s" into "2,014 s" or "50 %" into "%50"): the tool speaks one format, the invariant one.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // a clean stop: commands see the token, flush and seal
    cancel.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    cancel.Cancel();
});
return CliMain.Run(args, CliContext.FromConsole(cancel.Token));
