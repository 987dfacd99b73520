using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// What a restore as the configured user may do on the server. A restore connects to the maintenance database, builds
/// a staging database there, renames the target aside and drops it: so it needs that connection, CREATEDB (for the
/// staging database, and for RENAME), and ownership of the target (RENAME and DROP are its owner's).
/// </summary>
/// <param name="MayCreateDatabases">A superuser, or CREATEDB.</param>
/// <param name="Owner">The target database's owner; null when it does not exist.</param>
/// <param name="OwnsTarget">The user holds its owner's privileges (is it, or inherits from it); true when it does not exist.</param>
/// <param name="MaintenanceRefused">Why the maintenance database refused the connection; null when it took it.</param>
internal sealed record RestoreRights(bool MayCreateDatabases, string? Owner, bool OwnsTarget, string? MaintenanceRefused = null)
{
    /// <summary>What the connected user may do for a restore into <paramref name="database"/>, from the server's catalog.</summary>
    public static async Task<RestoreRights> ReadAsync(NpgsqlConnection connection, string database, int? commandTimeoutSeconds, CancellationToken cancellationToken)
    {
        // USAGE, not MEMBER: ownership is checked through inherited privileges; a member without INHERIT would have to
        // SET ROLE first, which a restore does not.
        const string sql = """
            SELECT r.rolsuper OR r.rolcreatedb, pg_get_userbyid(d.datdba), pg_has_role(d.datdba, 'USAGE')
            FROM pg_roles r LEFT JOIN pg_database d ON d.datname = $1
            WHERE r.rolname = current_user
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        if (commandTimeoutSeconds is { } seconds)
            command.CommandTimeout = seconds;
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // The current user always has its row; without one, nothing but CREATEDB can be said to be missing.
        if (!await reader.ReadAsync(cancellationToken))
            return new RestoreRights(MayCreateDatabases: false, Owner: null, OwnsTarget: true);
        var owner = reader.IsDBNull(1) ? null : reader.GetString(1);
        return new RestoreRights(reader.GetBoolean(0), owner, owner is null || reader.GetBoolean(2));
    }

    /// <summary>
    /// Why a restore as <paramref name="user"/> into <paramref name="database"/> on <paramref name="server"/> would fail
    /// part-way, said before anything is created; null when it may go ahead. <paramref name="replaces"/>: the target
    /// exists and is to be replaced.
    /// </summary>
    public LifeboatException? Refusal(string user, string database, string server, bool replaces)
    {
        if (!MayCreateDatabases)
        {
            return new LifeboatException(
                $"user '{user}' may not create databases on {server}, and a restore builds a staging database there before it takes the name '{database}'; nothing was changed",
                $"ALTER ROLE {PostgresPreflight.Quoted(user)} CREATEDB, or restore as a user that may");
        }

        if (replaces && !OwnsTarget)
        {
            return new LifeboatException(
                $"user '{user}' does not own database '{database}' on {server} (its owner is '{Owner}'), and replacing it renames it aside and drops it, which only its owner may; nothing was changed",
                $"ALTER DATABASE {PostgresPreflight.Quoted(database)} OWNER TO {PostgresPreflight.Quoted(user)}, or GRANT {PostgresPreflight.Quoted(Owner!)} TO {PostgresPreflight.Quoted(user)}, or restore as a user that may");
        }

        return null;
    }

    /// <summary>
    /// The check named <paramref name="name"/> of a restore as <paramref name="user"/> into <paramref name="database"/>.
    /// Warnings, not failures: credentials that only back up are a sound setup, and a restore may run with others.
    /// </summary>
    public HealthCheck Check(string name, string user, string database)
    {
        var problems = new List<string>();
        var hints = new List<string>();
        if (MaintenanceRefused is { } refused)
        {
            problems.Add($"user '{user}' cannot connect to the maintenance database '{DatabaseAdmin.MaintenanceDatabase}', from which a restore creates, renames and drops databases: {refused}");
            hints.Add($"let the user connect to '{DatabaseAdmin.MaintenanceDatabase}' (pg_hba.conf, GRANT CONNECT)");
        }

        if (!MayCreateDatabases)
        {
            problems.Add($"user '{user}' may not create databases: a restore builds a staging database and swaps it in");
            hints.Add($"ALTER ROLE {PostgresPreflight.Quoted(user)} CREATEDB");
        }

        if (!OwnsTarget)
        {
            problems.Add($"user '{user}' does not own database '{database}' (its owner is '{Owner}'): a restore that replaces it renames it aside and drops it, which only its owner may");
            hints.Add($"ALTER DATABASE {PostgresPreflight.Quoted(database)} OWNER TO {PostgresPreflight.Quoted(user)}, or GRANT {PostgresPreflight.Quoted(Owner!)} TO {PostgresPreflight.Quoted(user)}");
        }

        if (problems.Count > 0)
        {
            return new HealthCheck(name, HealthStatus.Warn, string.Join("; ", problems))
            {
                Hint = $"{string.Join("; ", hints)}; or restore as a user that may",
            };
        }

        var target = Owner is null ? $"database '{database}' does not exist yet" : $"it may replace '{database}' (owned by '{Owner}')";
        return HealthCheck.Ok(name, $"user '{user}' connects to '{DatabaseAdmin.MaintenanceDatabase}' and may create databases; {target}");
    }
}
