using Microsoft.Extensions.DependencyInjection;

namespace Herald.Core;

/// <summary>
/// What <c>AddHerald()</c> returns: the place for the choices an application makes once, such as
/// where Herald keeps its data (<see cref="HeraldBuilderExtensions.UseMemory"/>, <c>UseSqlite</c> in
/// Herald.Storage.Sqlite). Packages extend it with extension methods on <see cref="Services"/>.
/// </summary>
public interface IHeraldBuilder
{
    /// <summary>The application's services, in which Herald is registered.</summary>
    IServiceCollection Services { get; }
}
