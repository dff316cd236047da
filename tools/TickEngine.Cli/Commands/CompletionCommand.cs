using System.CommandLine;
using TickEngine.Cli.CommandLine;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>completion bash|zsh</c>: a shell script that completes verbs, options and option values by asking tickengine
/// itself (System.CommandLine's <c>[suggest:N]</c> directive), so completion always matches the installed version.
/// </summary>
public static class CompletionCommand
{
    public const string Summary = "a shell completion script for bash or zsh (verbs, options and their values)";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("completion", Summary, """
            Examples:
              source <(tickengine completion bash)
              tickengine completion zsh > ~/.zfunc/_tickengine
            """);
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        cmd.Arguments.Add(shell);
        cmd.SetAction(r =>
        {
            ctx.Out.Write(r.GetValue(shell) == "bash" ? Bash : Zsh);
            return 0;
        });
        return cmd;
    }

    // The line is passed without the program's name, and the cursor position shifted to match.
    private const string Bash = """
        # tickengine completion for bash: source <(tickengine completion bash)
        _tickengine_complete() {
          local line="${COMP_LINE#* }"
          local pos=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${pos}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _tickengine_complete tickengine

        """;

    private const string Zsh = """
        #compdef tickengine
        # tickengine completion for zsh: put this file on your $fpath as _tickengine
        _tickengine() {
          local line="${BUFFER#* }"
          local pos=$(( CURSOR - ${#BUFFER} + ${#line} ))
          local -a items
          items=("${(@f)$(tickengine "[suggest:${pos}]" "${line}" 2>/dev/null)}")
          compadd -a items
        }
        compdef _tickengine tickengine

        """;
}
