using System.Text;
using TickEngine.Cli;
using TickEngine.Cli.CommandLine;

namespace TickEngine.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error, byte[] StdoutBytes);

    public static Result Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var raw = new MemoryStream();
        int code = CliMain.Run(args, new CliContext(o, e, () => new NonClosingStream(raw), CancellationToken.None));
        return new Result(code, o.ToString(), e.ToString(), raw.ToArray());
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }

    public static string Text(this Result r) => Encoding.UTF8.GetString(r.StdoutBytes);
}
