namespace Herald.Cli;

/// <summary>
/// The exit codes of every verb, documented in docs/cli.md. Scripts may rely on them: each names
/// one kind of failure, whatever the verb.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The server failed (5xx) or something unexpected went wrong.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments, options or settings (an unreadable profile, data that is not JSON); for <c>serve</c>, an invalid server configuration.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Credentials are missing, refused, or lack the scope or permission the request needs (401, 403, error 101/103/109).</summary>
    public const int Unauthorized = 4;

    /// <summary>What was asked for does not exist (404).</summary>
    public const int NotFound = 5;

    /// <summary>The server refused the request as invalid or conflicting (400, 409, 413, 415, 429).</summary>
    public const int Rejected = 6;

    /// <summary>A wait with <c>--timeout</c> ran out.</summary>
    public const int Timeout = 7;

    /// <summary>Interrupted by Ctrl+C or SIGTERM (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
