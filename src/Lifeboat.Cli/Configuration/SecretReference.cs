namespace Lifeboat.Cli.Configuration;

/// <summary>A secret named by an environment variable, with the configuration key that named it.</summary>
/// <param name="Variable">The environment variable.</param>
/// <param name="Key">The configuration key, e.g. postgres[0].passwordEnv.</param>
/// <param name="Origin">The file the key is in.</param>
public sealed record SecretReference(string Variable, string Key, string Origin)
{
    /// <summary>Reads the secret; an unset variable is a configuration error naming the key and the file.</summary>
    public string Resolve()
    {
        // The variable's name is not repeated: a secret pasted where a name belongs can still look like a name (devpass).
        var value = Environment.GetEnvironmentVariable(Variable) ?? throw new LifeboatException(
            $"the environment variable named by {Key} in {Origin} is not set",
            $"export the variable {Key} names, or change {Key}",
            FailureKind.Usage);
        Processes.ChildEnvironment.HideSecret(Variable);
        return value;
    }

    /// <summary>Leaves the variable's name out: it may be a secret pasted where a name belongs.</summary>
    public override string ToString() => $"SecretReference {{ Key = {Key}, Origin = {Origin} }}";
}
