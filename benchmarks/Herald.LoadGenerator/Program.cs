using Herald.LoadGenerator;

return await Cli.RunAsync(args);
