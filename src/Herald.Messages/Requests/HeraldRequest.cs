namespace Herald.Messages.Requests;

/// <summary>
/// A request of a connection, decoded from any protocol. Codecs turn bytes into these, the
/// engine's request handler runs them against the node, and codecs turn the
/// <see cref="RequestResult"/> back into bytes. Immutable.
/// </summary>
public abstract record HeraldRequest
{
    /// <summary>Which operation this is.</summary>
    public abstract RequestKind Kind { get; }
}
