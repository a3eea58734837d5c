global using System.Net;
global using System.Net.WebSockets;
global using System.Text;
global using System.Text.Json;
global using Herald.SocketIO.ComplianceTests.Infrastructure;

// The suites run one case at a time against one server, and the cases wait on 300/200 ms
// heartbeats: running the two classes side by side on a loaded machine only adds jitter.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
