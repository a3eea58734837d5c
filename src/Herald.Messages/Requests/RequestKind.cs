namespace Herald.Messages.Requests;

/// <summary>The operations a connection can ask for, whatever its protocol.</summary>
public enum RequestKind
{
    /// <summary>Authenticate with a token (<c>connect</c>).</summary>
    Connect,
    /// <summary>A client ping, answered with <c>pong</c>.</summary>
    Ping,
    /// <summary>The answer to the server's heartbeat ping; it gets no answer.</summary>
    Pong,
    /// <summary>Start receiving a channel (<c>subscribe</c>).</summary>
    Subscribe,
    /// <summary>Stop receiving a channel (<c>unsubscribe</c>).</summary>
    Unsubscribe,
    /// <summary>Replace a subscription's tag filter (<c>update_filter</c>).</summary>
    UpdateFilter,
    /// <summary>Read a channel's history (<c>request_history</c>).</summary>
    History,
    /// <summary>Publish into a channel whose namespace allows clients to (<c>publish</c>).</summary>
    Publish,
    /// <summary>Who is in a channel (<c>presence</c>).</summary>
    Presence,
    /// <summary>Replace the connection's token before it expires (<c>refresh</c>).</summary>
    Refresh,
}
