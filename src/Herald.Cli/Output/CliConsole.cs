using Spectre.Console;

namespace Herald.Cli.Output;

/// <summary>
/// The streams a verb reads and writes, and what they are connected to. Colours and live views only
/// when the stream is a terminal and <c>NO_COLOR</c> is not set (nor <c>--no-color</c> given);
/// otherwise plain text that scripts can read. One per invocation.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, TextReader input, bool outputIsTerminal, bool errorIsTerminal, bool inputIsTerminal, Func<string, string?> environment)
    {
        Out = output;
        Error = error;
        In = input;
        OutputIsTerminal = outputIsTerminal;
        ErrorIsTerminal = errorIsTerminal;
        InputIsTerminal = inputIsTerminal;
        Environment = environment;
        NoColorRequested = !string.IsNullOrEmpty(environment("NO_COLOR"));
    }

    /// <summary>The process's own console.</summary>
    public static CliConsole System() => new(Console.Out, Console.Error, Console.In,
        !Console.IsOutputRedirected, !Console.IsErrorRedirected, !Console.IsInputRedirected, global::System.Environment.GetEnvironmentVariable);

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public TextReader In { get; }

    public bool OutputIsTerminal { get; }

    public bool ErrorIsTerminal { get; }

    public bool InputIsTerminal { get; }

    /// <summary>Reads an environment variable (the tests give their own).</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>True when <c>NO_COLOR</c> is set to anything non-empty (no-color.org), or <c>--no-color</c> was given.</summary>
    public bool NoColorRequested { get; set; }

    /// <summary>Colours on standard output.</summary>
    public bool Color => OutputIsTerminal && !NoColorRequested;

    /// <summary>Colours on standard error.</summary>
    public bool ErrorColor => ErrorIsTerminal && !NoColorRequested;

    private IAnsiConsole? _ansi;
    private IAnsiConsole? _ansiError;

    /// <summary>Spectre.Console over standard output, with colours only where <see cref="Color"/> allows.</summary>
    public IAnsiConsole Ansi => _ansi ??= Create(Out, Color, OutputIsTerminal);

    /// <summary>Spectre.Console over standard error (progress, warnings).</summary>
    public IAnsiConsole AnsiError => _ansiError ??= Create(Error, ErrorColor, ErrorIsTerminal);

    private static IAnsiConsole Create(TextWriter writer, bool color, bool terminal) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });

    /// <summary>Writes one line to standard output, as it is (no markup).</summary>
    public void WriteLine(string line)
    {
        Out.WriteLine(line);
        Out.Flush();
    }

    /// <summary>A warning or notice on standard error (yellow on a terminal).</summary>
    public void Notice(string message)
    {
        if (ErrorColor)
        {
            AnsiError.MarkupLineInterpolated($"[yellow]{message}[/]");
        }
        else
        {
            Error.WriteLine(message);
        }
        Error.Flush();
    }

    /// <summary>The one-line report of a failure, on standard error (red on a terminal).</summary>
    public void Fail(string message)
    {
        if (ErrorColor)
        {
            AnsiError.MarkupLineInterpolated($"[red]herald: {message}[/]");
        }
        else
        {
            Error.WriteLine("herald: " + message);
        }
        Error.Flush();
    }

    /// <summary>
    /// Runs long work with a spinner on standard error when it is a terminal; without one it just runs
    /// (a script's output stays clean).
    /// </summary>
    public async Task<T> WithProgressAsync<T>(string what, Func<Action<string>, Task<T>> work)
    {
        if (!ErrorIsTerminal)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }
        return await AnsiError.Status().Spinner(Spinner.Known.Dots).StartAsync(what, context => work(status => context.Status(Markup.Escape(status)))).ConfigureAwait(false);
    }
}
