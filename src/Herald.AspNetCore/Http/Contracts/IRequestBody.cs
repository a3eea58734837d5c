using Herald.Messages;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>
/// A request body bound by <see cref="JsonBody"/>: a record with a parameterless constructor and
/// init properties, which names the 400 message for a field of the wrong type and checks what
/// binding alone does not.
/// </summary>
internal interface IRequestBody<TSelf> where TSelf : class, IRequestBody<TSelf>
{
    /// <summary>
    /// The message for a value of the wrong type in <paramref name="field"/> (a property's JSON
    /// name); <paramref name="member"/> is the key or index inside it, when the fault is there.
    /// </summary>
    static abstract string WrongType(string field, string? member);

    /// <summary>What binding does not check, such as a <c>null</c> inside a list of strings.</summary>
    HeraldError? Validate() => null;
}
