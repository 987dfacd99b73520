namespace Lifeboat.Buckets.Index;

/// <summary>Completes one key group of a draft: pending records get what their reads found, and reads that found nothing apply the §4.3 rules.</summary>
internal sealed class PendingRecordFill(ReadOutcomeFile outcomes, DateTimeOffset listedAt, IndexSealCounts counts)
{
    /// <summary>The group's final records, newest first.</summary>
    public async Task<List<BucketObjectRecord>> ResolveAsync(List<DraftEntry> group, CancellationToken cancellationToken)
    {
        var records = new List<BucketObjectRecord>(group.Count);
        var unversionedGone = false;
        foreach (var entry in group)
        {
            if (entry.Ticket is not { } ticket)
            {
                records.Add(entry.Record);
                continue;
            }

            var outcome = await outcomes.GetAsync(ticket, cancellationToken);
            if (outcome.IsGone)
            {
                NoteGone(entry.Record.Key);
                unversionedGone |= entry.Record.VersionId == BucketObjectRecord.NullVersion;
                continue;
            }

            counts.NewBytesStored += outcome.Content!.NewStoredBytes;
            records.Add(Fill(entry.Record, outcome));
        }

        SortNewestFirst(records);
        if (unversionedGone && records.Count > 0 && !records[0].DeleteMarker && !records.Any(r => r.Latest))
            records.Insert(0, SynthesizedMarker(records[0].Key));
        return records;
    }

    /// <summary>Newest first by last-modified time; equal times keep their order (the listing's).</summary>
    public static void SortNewestFirst(List<BucketObjectRecord> records)
    {
        var sorted = records.OrderByDescending(r => r.LastModified).ToList();
        records.Clear();
        records.AddRange(sorted);
    }

    private static BucketObjectRecord Fill(BucketObjectRecord pending, ReadOutcome outcome)
    {
        var content = outcome.Content!;
        var read = outcome.Attributes ?? ObjectAttributes.None;
        // The listing's storage class wins: a GET leaves out STANDARD, and the next listing would see a change.
        var attributes = read with { StorageClass = pending.Attributes.StorageClass ?? read.StorageClass };
        var replaced = outcome.Replaced;
        return pending with
        {
            Sha256 = content.Sha256,
            Size = content.Size,
            ETag = replaced?.ETag ?? pending.ETag,
            LastModified = IndexTime.Truncate(replaced?.LastModified ?? pending.LastModified),
            Attributes = attributes,
        };
    }

    private BucketObjectRecord SynthesizedMarker(string key) => new()
    {
        Key = key,
        VersionId = BucketObjectRecord.NullVersion,
        Latest = true,
        DeleteMarker = true,
        LastModified = IndexTime.Truncate(listedAt),
        Synthesized = true,
    };

    private void NoteGone(string key)
    {
        counts.GoneWhileReading++;
        if (counts.GoneWhileReadingKeys.Count < IndexSealCounts.GoneKeysNamed)
            counts.GoneWhileReadingKeys.Add(key);
    }
}
