return await Herald.Server.HeraldServer.RunAsync(args);
