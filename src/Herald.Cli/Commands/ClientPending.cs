namespace Herald.Cli.Commands;

/// <summary>
/// The verbs that talk to a server do so through Herald.Client (<c>HeraldApi</c> over HTTP,
/// <c>HeraldClient</c> over the native WebSocket protocol). Until that library is part of this
/// build they parse and check everything they are given, then stop here with a clear message.
/// </summary>
internal static class ClientPending
{
    public static Task<int> Fail(string verb, string call) =>
        throw new CliException(ExitCodes.Failed, $"'{verb}' is not available in this build: it runs on Herald.Client ({call}), which is not part of it yet");
}
