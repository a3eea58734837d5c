namespace Herald.Core;

/// <summary>
/// The storage an application chose for Herald, registered as a singleton by
/// <see cref="HeraldBuilderExtensions.UseStorage"/>. Absent when nothing was chosen: then the
/// memory stores are used, and the host logs so at start.
/// </summary>
public sealed class HeraldStorageChoice
{
    public HeraldStorageChoice(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The storage's name in messages, such as <c>memory</c> or <c>SQLite</c>.</summary>
    public string Name { get; }
}
