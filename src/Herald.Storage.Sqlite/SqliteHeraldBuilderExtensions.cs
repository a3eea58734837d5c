using Herald.Core;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Herald.Storage.Sqlite.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Storage.Sqlite;

/// <summary>Chooses SQLite as Herald's storage: <c>services.AddHerald().UseSqlite("herald.db")</c>.</summary>
public static class SqliteHeraldBuilderExtensions
{
    /// <summary>Keeps history, operations and notifications in the SQLite file at <paramref name="path"/>.</summary>
    /// <inheritdoc cref="UseSqlite(IHeraldBuilder, Action{SqliteStorageOptions}?)"/>
    public static IHeraldBuilder UseSqlite(this IHeraldBuilder builder, string path) =>
        builder.UseSqlite(options => options.SqlitePath = path);

    /// <summary>
    /// Keeps history, operations and notifications in one SQLite file, so that they survive a
    /// restart. The settings bind from <c>Herald:Storage</c> (<c>Herald:Storage:SqlitePath</c>, default
    /// <c>herald.db</c>), then <paramref name="configure"/> applies; they are validated at start.
    /// </summary>
    /// <remarks>
    /// The three stores share one <see cref="SqliteDatabase"/>, a singleton the container creates
    /// before them and disposes after them: a clean close, so channel epochs survive the restart. A
    /// relative path is resolved against the working directory when the database is created. At start
    /// the full path is logged, and a warning when the previous run did not close the file cleanly.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A storage was already chosen.</exception>
    public static IHeraldBuilder UseSqlite(this IHeraldBuilder builder, Action<SqliteStorageOptions>? configure = null)
    {
        builder.UseStorage("SQLite", services =>
        {
            var options = services.AddOptions<SqliteStorageOptions>().BindConfiguration(HeraldStorageSettings.SectionName);
            if (configure is not null)
            {
                options.Configure(configure);
            }
            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStorageOptions>, SqliteStorageOptionsValidator>());
            services.AddSingleton(sp =>
            {
                var path = Path.GetFullPath(sp.GetRequiredService<IOptions<SqliteStorageOptions>>().Value.SqlitePath);
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(SqliteLog.Category).Opening(path);
                return new SqliteDatabase(path);
            });
            services.AddSingleton<IHistoryStore>(sp => new SqliteHistoryStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IOperationStore>(sp => new SqliteOperationStore(sp.GetRequiredService<SqliteDatabase>()));
            services.AddSingleton<INotificationStore>(sp => new SqliteNotificationStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IHostedService, UncleanShutdownReport>();
        });
        return builder.AcceptStorageSettings(SqliteStorageOptions.SettingKeys);
    }
}
