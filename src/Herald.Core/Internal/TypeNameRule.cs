namespace Herald.Core.Internal;

/// <summary>What is wrong with a publication or operation type, in the order the rule checks it.</summary>
internal enum TypeNameProblem
{
    None,
    Missing,
    TooLong,
    InvalidCharacter,
}

/// <summary>
/// The one rule for publication and operation types: 1 to <see cref="Node.MaxTypeLength"/>
/// characters of A-Z, a-z, 0-9 and <c>_ . - :</c>. Callers word the error for their API.
/// </summary>
internal static class TypeNameRule
{
    public static TypeNameProblem Check(string? type)
    {
        if (string.IsNullOrEmpty(type))
        {
            return TypeNameProblem.Missing;
        }
        if (type.Length > Node.MaxTypeLength)
        {
            return TypeNameProblem.TooLong;
        }
        foreach (var c in type)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or ':'))
            {
                return TypeNameProblem.InvalidCharacter;
            }
        }
        return TypeNameProblem.None;
    }
}
