namespace Herald.Cli.Tests.Infrastructure;

/// <summary>Why the tests of the verbs that run on Herald.Client are skipped in this build.</summary>
public static class Pending
{
    public const string Client = "the verb runs on Herald.Client (HeraldApi, HeraldClient), which is not merged into this branch yet";
}
