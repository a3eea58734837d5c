namespace Herald.Server.Tests;

/// <summary>Subscriptions belong to the Socket.IO namespace that made them.</summary>
public sealed class SocketIONamespaceTests
{
    private static async Task<string> ReceiveStartingWithAsync(SocketIOTestClient client, string prefix)
    {
        while (true)
        {
            var packet = await client.ReceiveAsync();
            if (packet.StartsWith(prefix, StringComparison.Ordinal))
            {
                return packet;
            }
        }
    }

    [Fact]
    public async Task LeavingANamespace_EndsItsSubscriptions_AndKeepsThoseOfTheOthers()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:SocketIO:Namespaces:0"] = "/admin" });
        await using var client = await SocketIOTestClient.ConnectUserAsync(server, "u1", "acme");
        await client.SendAsync("40/admin,");
        await ReceiveStartingWithAsync(client, "40/admin,{");
        (await client.EmitWithAckAsync("subscribe", """{"channel":"org:acme"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();
        await client.SendAsync("42/admin,7[\"subscribe\",{\"channel\":\"user:u1\"}]");
        var ack = await ReceiveStartingWithAsync(client, "43/admin,7[");
        ack.ShouldContain("\"ok\":true");
        (await server.PublishAsync("user:u1", "before", new { n = 0 })).EnsureSuccessStatusCode();
        (await client.ReceiveAsync()).ShouldStartWith("42/admin,[\"before\"");

        await client.SendAsync("41/admin,");
        // The session's packets are handled in order: once this ack is back, the leave was handled.
        await client.EmitWithAckAsync("echo", "{}");
        (await server.PublishAsync("user:u1", "after_leave", new { n = 1 })).EnsureSuccessStatusCode();
        (await server.PublishAsync("org:acme", "kept", new { n = 2 })).EnsureSuccessStatusCode();

        // The subscription of the left namespace delivers nothing more; the main one goes on.
        (await client.ReceiveAsync()).ShouldStartWith("42[\"kept\"");
        // The channel is free again on the connection.
        (await client.EmitWithAckAsync("subscribe", """{"channel":"user:u1"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();
    }
}
