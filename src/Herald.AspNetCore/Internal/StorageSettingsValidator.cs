using Herald.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore.Internal;

/// <summary>
/// Stops the application at start when <c>Herald:Storage</c> holds a key that neither the chosen
/// storage nor the host reads (<see cref="HeraldStorageSettings"/>): the strictness that binding
/// <see cref="HeraldOptions"/> gives every other Herald section.
/// </summary>
internal sealed class StorageSettingsValidator(IConfiguration configuration, IOptions<HeraldStorageSettings> settings) : IValidateOptions<HeraldOptions>
{
    public ValidateOptionsResult Validate(string? name, HeraldOptions options)
    {
        var accepted = settings.Value.Keys;
        var unknown = configuration.GetSection(HeraldStorageSettings.SectionName).GetChildren()
            .Select(child => child.Key)
            .Where(key => !accepted.Contains(key))
            .ToList();
        if (unknown.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }
        var known = accepted.Count == 0
            ? "this application reads no storage settings: it chooses its storage in code, with AddHerald().UseMemory() or a storage package such as AddHerald().UseSqlite(…)"
            : "the settings read here are " + string.Join(", ", accepted.Select(key => $"{HeraldStorageSettings.SectionName}:{key}"));
        return ValidateOptionsResult.Fail(unknown.Select(key => $"{HeraldStorageSettings.SectionName}:{key} is not a storage setting; {known}."));
    }
}
