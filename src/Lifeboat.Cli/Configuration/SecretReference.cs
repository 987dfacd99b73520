namespace Lifeboat.Cli.Configuration;

/// <summary>A secret named by an environment variable, with the configuration key that named it.</summary>
/// <param name="Variable">The environment variable.</param>
/// <param name="Key">The configuration key, e.g. postgres[0].passwordEnv.</param>
/// <param name="Origin">The file the key is in.</param>
public sealed record SecretReference(string Variable, string Key, string Origin)
{
    /// <summary>True when the key was not given and <see cref="Variable"/> is the key's declared default.</summary>
    public bool IsDeclaredDefault { get; init; }

    /// <summary>Reads the secret; an unset variable is a configuration error naming the key, and the variable only when it is the declared default.</summary>
    public string Resolve()
    {
        var value = Environment.GetEnvironmentVariable(Variable) ?? throw Unset();
        Processes.ChildEnvironment.HideSecret(Variable);
        return value;
    }

    /// <summary>Leaves the variable's name out: it may be a secret pasted where a name belongs.</summary>
    public override string ToString() => $"SecretReference {{ Key = {Key}, Origin = {Origin} }}";

    private LifeboatException Unset()
    {
        // A declared default is Lifeboat's own text, never something pasted, so the operator is told which variable to export.
        if (IsDeclaredDefault)
        {
            return new LifeboatException(
                $"environment variable {Variable} (the default of {Key}) is not set",
                $"export {Variable}, or set {Key}",
                FailureKind.Usage);
        }

        // A name the user wrote is not repeated: a secret pasted where a name belongs can still look like a name (devpass).
        return new LifeboatException(
            $"the environment variable named by {Key} in {Origin} is not set",
            $"export the variable {Key} names, or change {Key}",
            FailureKind.Usage);
    }
}
