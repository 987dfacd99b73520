namespace Lifeboat.Format;

/// <summary>Opens the repository's data key from its key slots with the operator's secret.</summary>
public static class KeySlots
{
    /// <summary>
    /// Returns the data key from the first slot <paramref name="secret"/> opens; throws "the key does not open
    /// this repository" when none does. <paramref name="repository"/> names the repository in that message.
    /// </summary>
    public static DataKey Unlock(IEnumerable<KeySlot> slots, KeySecret secret, string repository)
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(secret);
        var tried = 0;
        foreach (var slot in slots)
        {
            if (slot.Kind != secret.Kind)
            {
                continue;
            }

            tried++;
            var key = slot.TryOpen(secret);
            if (key is not null)
            {
                return key;
            }
        }

        var message = $"the key does not open this repository ({repository}): {secret.Description} fits none of its {tried} {secret.Kind} key slot(s)";
        if (tried == 0)
            throw new LifeboatException(message, $"the repository has no {secret.Kind} slot; configure the kind of secret it was initialised with", FailureKind.Usage);
        throw new LifeboatException(message, "a secret whose slot was removed no longer opens it", FailureKind.Usage)
        {
            Remedy = new(RemedyAction.CheckRepositoryKey),
        };
    }
}
