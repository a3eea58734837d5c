using Herald.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.AspNetCore.Internal;

internal sealed class HeraldBuilder(IServiceCollection services) : IHeraldBuilder
{
    public IServiceCollection Services { get; } = services;
}
