using TickEngine.Cli;
using TickEngine.Cli.CommandLine;

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
