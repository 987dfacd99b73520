namespace Lifeboat.Redis;

/// <summary>
/// Puts a directory written beside its final name in place of the one there: the old one is renamed aside first and
/// removed only once the new one has its name, so a crash leaves one of them whole; should the new one fail to take the
/// name, the old one is renamed back, so a failed restore never leaves a server's directory missing.
/// </summary>
internal static class DirectoryReplacement
{
    /// <summary>Gives <paramref name="replacement"/> the name <paramref name="target"/>, the directory there renamed to <paramref name="aside"/> meanwhile.</summary>
    public static void Replace(string replacement, string target, string aside) => Replace(replacement, target, aside, Directory.Move);

    /// <summary><see cref="Replace(string, string, string)"/> with the rename given: the seam tests use.</summary>
    internal static void Replace(string replacement, string target, string aside, Action<string, string> move)
    {
        move(target, aside);
        try
        {
            move(replacement, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw PutBack(target, aside, move, e);
        }

        Directory.Delete(aside, recursive: true);
    }

    private static LifeboatException PutBack(string target, string aside, Action<string, string> move, Exception failure)
    {
        try
        {
            move(aside, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LifeboatException(
                $"{target} could not be replaced ({failure.Message}), and the directory that was there could not be put back ({e.Message}): it is at {aside}",
                $"rename {aside} back to {target} before a server starts on it",
                inner: failure);
        }

        return new LifeboatException(
            $"{target} could not be replaced: {failure.Message}",
            "nothing was replaced, the directory there is as it was: check the permissions of its parent directory and restore again",
            inner: failure);
    }
}
