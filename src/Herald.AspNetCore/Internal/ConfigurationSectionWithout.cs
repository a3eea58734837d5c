using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Herald.AspNetCore.Internal;

/// <summary>
/// A configuration section seen without one of its children. <see cref="Core.HeraldOptions"/> binds
/// strictly (an unknown key is an error) from <c>Herald</c> without <c>Storage</c>, whose keys belong
/// to the storage packages and are checked by <see cref="StorageSettingsValidator"/>.
/// </summary>
internal sealed class ConfigurationSectionWithout(IConfigurationSection section, string hidden) : IConfigurationSection
{
    public string Key => section.Key;

    public string Path => section.Path;

    public string? Value
    {
        get => section.Value;
        set => section.Value = value;
    }

    public string? this[string key]
    {
        get => section[key];
        set => section[key] = value;
    }

    public IEnumerable<IConfigurationSection> GetChildren() =>
        section.GetChildren().Where(child => !string.Equals(child.Key, hidden, StringComparison.OrdinalIgnoreCase));

    public IConfigurationSection GetSection(string key) => section.GetSection(key);

    public IChangeToken GetReloadToken() => section.GetReloadToken();
}
