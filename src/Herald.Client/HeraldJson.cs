using System.Text.Json;
using Herald.Client.Internal;

namespace Herald.Client;

/// <summary>
/// The serializer options of the client's own types (camelCase, nulls left out), backed by its
/// source-generated context: for writing a <see cref="PublishResult"/> or an <see cref="Operation"/>
/// back out as the server showed it.
/// </summary>
public static class HeraldJson
{
    /// <summary>Options resolving every type of this package without reflection.</summary>
    public static JsonSerializerOptions Options => HeraldJsonContext.Default.Options;
}
