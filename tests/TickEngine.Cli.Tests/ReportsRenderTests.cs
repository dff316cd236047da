using System.Diagnostics;
using System.Text.RegularExpressions;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// Every HTML report (backtest, slippage, tune, analyze) rendered in headless Chromium (Debian's <c>chromium</c>; .ci/run
/// installs it): every chart the page holds is drawn by the vendored uPlot and no script error is raised. The page
/// itself records both on its &lt;html&gt; element (data-charts-rendered, data-script-errors).
/// </summary>
public class ReportsRenderTests
{
    private static string Dom(string page)
    {
        var psi = new ProcessStartInfo("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException("headless Chromium is needed to render the reports: apt-get install chromium (.ci/run installs it)", e); }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            string dom = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "chromium did not finish");
            _ = err.Result;
            return dom;
        }
    }

    private static void Renders(string page)
    {
        string html = File.ReadAllText(page);
        int figures = Regex.Matches(html, "class=\"te-chart\">\\{[^<]*\"empty\":false").Count;
        Assert.True(figures > 0, $"{page}: no chart with data");
        string dom = Dom(page);
        var tag = Regex.Match(dom, "<html[^>]*>").Value;
        Assert.DoesNotContain("data-script-errors", tag);
        Assert.Contains($"data-charts-rendered=\"{figures}\"", tag);
        Assert.Contains("MIT", html);         // uPlot's licence travels with it
        Assert.DoesNotContain("http://", Regex.Replace(html, "<!--.*?-->", "", RegexOptions.Singleline).Replace("http://www.w3.org", "")); // nothing fetched: it opens offline
    }

    [Fact]
    public void EveryReportDrawsAllItsChartsInChromiumWithNoScriptError()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet").ExitCode);
        var bt = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "research-mm", "--interval", "10s", "--out", dir.File("bt"));
        Assert.True(bt.ExitCode == 0, bt.Error);
        var sl = CliRunner.Run("slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "0.1,1", "--every", "5s", "--out", dir.File("sl"));
        Assert.True(sl.ExitCode == 0, sl.Error);
        var tu = CliRunner.Run("tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--grid", "2", "--param", "spread_bps=1..4", "--interval", "10s", "--out", dir.File("tu"));
        Assert.True(tu.ExitCode == 0, tu.Error);
        Renders(dir.File("bt/report.html"));
        Renders(dir.File("sl/slippage.html"));
        Renders(dir.File("tu/tune.html"));
        var an = CliRunner.Run("analyze", "--data", root, "--symbol", "BTCUSDT", "--interval", "30s", "--out", dir.File("an"));
        Assert.True(an.ExitCode == 0, an.Error);
        Renders(dir.File("an/analyze.html"));
    }
}
