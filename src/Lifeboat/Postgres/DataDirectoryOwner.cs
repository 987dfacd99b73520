namespace Lifeboat.Postgres;

/// <summary>The OS user a restored data directory belongs to: the one PostgreSQL will run as.</summary>
/// <param name="User">The user.</param>
/// <param name="GiveFiles">True when the files are given to it (this process runs as root); otherwise they are the caller's anyway.</param>
/// <param name="Reason">Why this user, in words for the operator.</param>
public sealed record DataDirectoryOwner(OsUser User, bool GiveFiles, string Reason)
{
    /// <summary>The user PostgreSQL's packages run the server as.</summary>
    public const string PackagedServerUser = "postgres";

    /// <summary>
    /// The owner for a data directory at <paramref name="dataDirectory"/>: <paramref name="requested"/> when given;
    /// otherwise the owner of its parent when that is not root, else the packaged server user when the host has one.
    /// Without root, the files can only be the caller's. Nothing is written; a user that cannot be is refused.
    /// </summary>
    public static DataDirectoryOwner Choose(string? requested, string dataDirectory)
    {
        if (!OsUser.CanGiveFilesAway)
            return ForCaller(requested);
        if (requested is not null)
            return new DataDirectoryOwner(Named(requested), true, "as asked");
        var parent = NearestExisting(Path.GetDirectoryName(Path.GetFullPath(dataDirectory))!);
        if (OsUser.Find(FileStatus.Of(parent)!.Value.Owner) is { IsRoot: false } parentOwner)
            return new DataDirectoryOwner(parentOwner, true, $"the owner of {parent}");
        if (OsUser.Find(PackagedServerUser) is { } packaged)
            return new DataDirectoryOwner(packaged, true, $"{parent} is root's, and this host has a '{PackagedServerUser}' user");
        throw new LifeboatException(
            $"cannot tell which OS user the server will run as: {parent} belongs to root and this host has no '{PackagedServerUser}' user; nothing was written",
            kind: FailureKind.Usage)
        {
            Remedy = new(RemedyAction.NameDataDirectoryOwner),
        };
    }

    private static DataDirectoryOwner ForCaller(string? requested)
    {
        var caller = OsUser.Current;
        if (requested is not null && requested != caller.Name)
        {
            throw new LifeboatException(
                $"only root may give the restored files to another user ('{requested}'); they would be this user's ('{caller.Name}'); nothing was written",
                $"run as root, or as '{requested}'",
                FailureKind.Usage);
        }

        return new DataDirectoryOwner(caller, false, "not running as root, the files are this user's");
    }

    private static OsUser Named(string name)
    {
        var user = OsUser.Find(name)
            ?? throw new LifeboatException($"there is no OS user '{name}' on this host; nothing was written", "name the user PostgreSQL runs as", FailureKind.Usage);
        return user.IsRoot
            ? throw new LifeboatException("PostgreSQL refuses to run as root, so its data directory cannot be root's; nothing was written", "name the user PostgreSQL runs as", FailureKind.Usage)
            : user;
    }

    // The data directory (and its parents) may not exist yet; the first that does stands for them.
    private static string NearestExisting(string directory)
    {
        while (!Directory.Exists(directory) && Path.GetDirectoryName(directory) is { } up)
            directory = up;
        return directory;
    }
}
