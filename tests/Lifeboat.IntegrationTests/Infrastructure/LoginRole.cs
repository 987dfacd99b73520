namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>
/// A role on the devstack server that logs in with its own password, read from <see cref="PasswordVariable"/>; dropped,
/// with any database it came to own, when the test ends.
/// </summary>
public sealed class LoginRole : IAsyncDisposable
{
    /// <summary>The environment variable a config's passwordEnv names for this role.</summary>
    public const string PasswordVariable = "LIFEBOAT_TEST_LOGIN_ROLE_PASSWORD";

    private LoginRole(string name, string password)
    {
        Name = name;
        Environment = new Dictionary<string, string?> { [PasswordVariable] = password };
    }

    public string Name { get; }

    /// <summary>The environment to run the executable with: the role's password in <see cref="PasswordVariable"/>.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Creates a LOGIN role with <paramref name="attributes"/> (e.g. "NOCREATEDB").</summary>
    public static async Task<LoginRole> CreateAsync(string stem, string attributes)
    {
        var role = new LoginRole(TestEnvironment.UniqueName(stem), Guid.NewGuid().ToString("N"));
        await TestDatabase.AdminAsync($"CREATE ROLE \"{role.Name}\" LOGIN {attributes} PASSWORD '{role.Environment[PasswordVariable]}'");
        return role;
    }

    public async ValueTask DisposeAsync()
    {
        // A restore that got further than it should have leaves databases this role owns; the role cannot go before them.
        foreach (var database in await TestDatabase.DatabasesOwnedByAsync(Name))
            await TestDatabase.AdminAsync($"DROP DATABASE IF EXISTS \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)");
        await TestDatabase.AdminAsync($"DROP ROLE IF EXISTS \"{Name}\"");
    }
}
