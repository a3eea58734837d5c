global using System.Text.Json;
global using Herald.Client;
global using Herald.Server;
global using Herald.Server.Tests.Infrastructure;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Logging;
