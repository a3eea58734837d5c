namespace Herald.Core.Requests;

/// <summary>
/// A request of a connection, decoded from any protocol. Codecs turn bytes into these, the
/// <see cref="RequestHandler"/> runs them against the node, and codecs turn the
/// <see cref="RequestResult"/> back into bytes. Immutable.
/// </summary>
public abstract record HeraldRequest
{
    /// <summary>Which operation this is.</summary>
    public abstract RequestKind Kind { get; }
}
