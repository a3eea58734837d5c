var app = Herald.SocketIO.ComplianceServer.ComplianceApplication.Build(args.Length > 0 ? args : ["--urls", "http://localhost:3000"]);
app.Run();
