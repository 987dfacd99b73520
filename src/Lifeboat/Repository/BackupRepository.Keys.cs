using Lifeboat.Format;

namespace Lifeboat.Repository;

public sealed partial class BackupRepository
{
    /// <summary>Every key slot, oldest first; slots that cannot be parsed go to <paramref name="onDamaged"/>.</summary>
    public async Task<IReadOnlyList<KeySlot>> ListKeySlotsAsync(Action<string, LifeboatException> onDamaged, CancellationToken cancellationToken)
    {
        var slots = await ReadKeySlotsAsync(Store, onDamaged, cancellationToken);
        slots.Sort((a, b) => a.Created != b.Created ? a.Created.CompareTo(b.Created) : string.CompareOrdinal(a.Id, b.Id));
        return slots;
    }

    /// <summary>
    /// Adds a slot wrapping the data key under <paramref name="secret"/>, so that secret opens the repository too, named
    /// <paramref name="label"/> when given. Refuses a passphrase too short for a new slot, and a secret that already
    /// opens a slot: two slots for one secret only make retiring it harder.
    /// </summary>
    public async Task<KeySlot> AddKeySlotAsync(KeySecret secret, string? label, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        secret.ThrowIfTooWeakForNewSlot();
        foreach (var existing in await ReadKeySlotsAsync(Store, (_, _) => { }, cancellationToken))
        {
            using var opened = existing.TryOpen(secret);
            if (opened is not null)
            {
                throw new LifeboatException(
                    $"{secret.Description} already opens key slot {existing.Id} of the repository at {Store.Location}; nothing was added",
                    "add a different key file or passphrase", FailureKind.Usage);
            }
        }

        var slot = KeySlot.Create(_dataKey, secret, label);
        await PutPlainAsync(Store, RepositoryLayout.KeysPrefix + slot.Id, slot.ToJson(), cancellationToken);
        return slot;
    }

    /// <summary>
    /// Removes key slot <paramref name="slotId"/>, so its secret no longer opens the repository. Refuses the slot this
    /// repository was opened with, which also means the last slot can never go.
    /// </summary>
    public async Task RemoveKeySlotAsync(string slotId, CancellationToken cancellationToken)
    {
        var damaged = new List<string>();
        var slots = await ReadKeySlotsAsync(Store, (key, _) => damaged.Add(key), cancellationToken);
        var key = RepositoryLayout.KeysPrefix + slotId;
        if (!slots.Any(s => s.Id == slotId) && !damaged.Contains(key))
        {
            throw new LifeboatException($"the repository at {Store.Location} has no key slot '{slotId}'; nothing was removed", kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ListKeySlots),
            };
        }

        if (slotId == OpenedSlotId)
        {
            throw new LifeboatException($"key slot {slotId} is the one this configuration's key opens; it was kept, so the repository stays open to you", kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.RetireOpeningKey),
            };
        }

        // The slot this process opened with may itself have been removed since (by another 'key remove', whose
        // exclusive lock ended before this one's began); removing another slot then could leave none that opens.
        if (!slots.Any(s => s.Id == OpenedSlotId && s.KeyId == _dataKey.Id))
        {
            throw new LifeboatException(
                $"key slot {OpenedSlotId}, which this configuration's key opened, is gone or damaged since this command started; nothing was removed, so the remaining slots still open the repository",
                "use a configuration whose key still opens the repository", FailureKind.Failed)
            {
                Remedy = new(RemedyAction.ListKeySlots),
            };
        }

        await Store.DeleteAsync(key, cancellationToken);
    }
}
