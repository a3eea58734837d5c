using Herald.Core.Channels;

namespace Herald.Core.Tests.Channels;

public sealed class TagFilterTests
{
    private static TagFilter Filter(params (string Tag, string[] Values)[] entries)
    {
        var filters = entries.ToDictionary(e => e.Tag, e => (IReadOnlyList<string>)e.Values);
        var filter = TagFilter.Create(filters, out var error);
        error.ShouldBeNull();
        return filter.ShouldNotBeNull();
    }

    private static Dictionary<string, string> Tags(params (string Name, string Value)[] tags) =>
        tags.ToDictionary(t => t.Name, t => t.Value);

    [Fact]
    public void Create_WithNull_ReturnsNullWithoutError()
    {
        TagFilter.Create(null, out var error).ShouldBeNull();
        error.ShouldBeNull();
    }

    [Fact]
    public void Create_WithEmptyMap_ReturnsNullWithoutError()
    {
        TagFilter.Create(new Dictionary<string, IReadOnlyList<string>>(), out var error).ShouldBeNull();
        error.ShouldBeNull();
    }

    [Fact]
    public void Matches_SingleTagWithAllowedValue_Passes()
    {
        var filter = Filter(("status", ["running", "failed"]));

        filter.Matches(Tags(("status", "running"))).ShouldBeTrue();
        filter.Matches(Tags(("status", "failed"))).ShouldBeTrue();
    }

    [Fact]
    public void Matches_SingleTagWithOtherValue_Fails()
    {
        var filter = Filter(("status", ["running", "failed"]));

        filter.Matches(Tags(("status", "completed"))).ShouldBeFalse();
    }

    [Fact]
    public void Matches_ValuesAreCaseSensitive()
    {
        var filter = Filter(("status", ["running"]));

        filter.Matches(Tags(("status", "Running"))).ShouldBeFalse();
        filter.Matches(Tags(("Status", "running"))).ShouldBeFalse();
    }

    [Fact]
    public void Matches_PublicationWithoutTheTag_Fails()
    {
        var filter = Filter(("status", ["running"]));

        filter.Matches(Tags(("workflow_id", "wf_1"))).ShouldBeFalse();
        filter.Matches(new Dictionary<string, string>()).ShouldBeFalse();
    }

    [Fact]
    public void Matches_PublicationWithoutTags_Fails()
    {
        Filter(("status", ["running"])).Matches(null).ShouldBeFalse();
    }

    [Fact]
    public void Matches_SeveralTags_RequiresEveryOneToMatch()
    {
        var filter = Filter(("status", ["running"]), ("workflow_id", ["wf_1", "wf_2"]));

        filter.Matches(Tags(("status", "running"), ("workflow_id", "wf_2"))).ShouldBeTrue();
        filter.Matches(Tags(("status", "running"), ("workflow_id", "wf_3"))).ShouldBeFalse();
        filter.Matches(Tags(("status", "failed"), ("workflow_id", "wf_1"))).ShouldBeFalse();
        filter.Matches(Tags(("status", "running"))).ShouldBeFalse();
    }

    [Fact]
    public void Matches_ExtraTagsOnThePublication_AreIgnored()
    {
        var filter = Filter(("status", ["running"]));

        filter.Matches(Tags(("status", "running"), ("region", "eu"), ("x", "y"))).ShouldBeTrue();
    }

    [Fact]
    public void Matches_TagWithNoAllowedValues_NeverPasses()
    {
        var filter = Filter(("status", []));

        filter.Matches(Tags(("status", ""))).ShouldBeFalse();
        filter.Matches(Tags(("status", "running"))).ShouldBeFalse();
    }

    [Fact]
    public void Create_KeepsTheAllowedValues()
    {
        var filter = Filter(("status", ["running", "failed", "running"]));

        filter.Allowed.Keys.ShouldBe(["status"]);
        filter.Allowed["status"].ShouldBe(["running", "failed"], ignoreOrder: true);
    }

    [Fact]
    public void Create_IsNotAffectedByLaterChangesToTheInput()
    {
        var values = new List<string> { "running" };
        var input = new Dictionary<string, IReadOnlyList<string>> { ["status"] = values };
        var filter = TagFilter.Create(input, out _).ShouldNotBeNull();

        values.Add("failed");
        input["region"] = ["eu"];

        filter.Matches(Tags(("status", "failed"))).ShouldBeFalse();
        filter.Matches(Tags(("status", "running"))).ShouldBeTrue();
    }

    [Fact]
    public void Create_AtMaxTags_Succeeds()
    {
        var filters = Enumerable.Range(0, TagFilter.MaxTags).ToDictionary(i => $"t{i}", i => (IReadOnlyList<string>)[$"v{i}"]);

        TagFilter.Create(filters, out var error).ShouldNotBeNull();
        error.ShouldBeNull();
    }

    [Fact]
    public void Create_OverMaxTags_ReturnsNullWithError()
    {
        var filters = Enumerable.Range(0, TagFilter.MaxTags + 1).ToDictionary(i => $"t{i}", i => (IReadOnlyList<string>)[$"v{i}"]);

        TagFilter.Create(filters, out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(TagFilter.MaxTags.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Create_AtMaxValuesPerTag_Succeeds()
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>
        {
            ["status"] = Enumerable.Range(0, TagFilter.MaxValuesPerTag).Select(i => $"v{i}").ToList(),
        };

        var filter = TagFilter.Create(filters, out var error).ShouldNotBeNull();
        error.ShouldBeNull();
        filter.Matches(Tags(("status", $"v{TagFilter.MaxValuesPerTag - 1}"))).ShouldBeTrue();
    }

    [Fact]
    public void Create_OverMaxValuesPerTag_ReturnsNullWithErrorNamingTheTag()
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>
        {
            ["status"] = Enumerable.Range(0, TagFilter.MaxValuesPerTag + 1).Select(i => $"v{i}").ToList(),
        };

        TagFilter.Create(filters, out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("status");
    }
}
