namespace Lifeboat.Redis.Rdb;

/// <summary>
/// Walks one serialized value to its end without building it: it reads the lengths that say how far the value goes and
/// skips the rest (listpacks, ziplists and intsets are single strings), following rdbLoadObject type by type.
/// </summary>
internal sealed class RdbValueWalker(RdbInput input, int rdbVersion)
{
    private const int StreamIdBytes = 16;
    private const int MillisecondTimeBytes = 8;

    /// <summary>Leave each stream consumer's active time (what type 21 added to type 19) out of the capture under way.</summary>
    public bool DropStreamActiveTimes { get; init; }

    /// <summary>
    /// Consumes the value of <paramref name="type"/>, whose type byte was consumed at <paramref name="typeOffset"/>;
    /// returns the module's name for a module's value, null for any other.
    /// </summary>
    public async ValueTask<string?> WalkAsync(byte type, long typeOffset, CancellationToken cancellationToken)
    {
        if (RdbType.IntroducedIn(type) is { } since && since > rdbVersion)
            throw new RdbFormatException(typeOffset, $"value type {type} first came with RDB {since}, and this is RDB {rdbVersion}");
        switch (type)
        {
            case RdbType.String:
            case RdbType.HashZipmap:
            case RdbType.ListZiplist:
            case RdbType.SetIntset:
            case RdbType.ZSetZiplist:
            case RdbType.HashZiplist:
            case RdbType.HashListpack:
            case RdbType.ZSetListpack:
            case RdbType.SetListpack:
                await input.SkipStringAsync(cancellationToken);
                break;
            case RdbType.List:
            case RdbType.Set:
            case RdbType.ListQuicklist:
                await SkipStringsAsync(await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.Hash:
                await SkipStringsAsync(2 * await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.ZSet:
                await SkipTextScoredAsync(await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.ZSet2:
                await SkipBinaryScoredAsync(await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.ListQuicklist2:
                await SkipQuicklistNodesAsync(await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.StreamListpacks:
            case RdbType.StreamListpacks2:
            case RdbType.StreamListpacks3:
                await WalkStreamAsync(type, cancellationToken);
                break;
            case RdbType.HashMetadata:
                await input.SkipAsync(MillisecondTimeBytes, cancellationToken); // the earliest field expiry time
                await SkipTimedFieldsAsync(await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.HashMetadataPreGa:
                await SkipTimedFieldsAsync(await input.ReadCountAsync(cancellationToken), cancellationToken);
                break;
            case RdbType.HashListpackEx:
                await input.SkipAsync(MillisecondTimeBytes, cancellationToken); // the earliest field expiry time
                await input.SkipStringAsync(cancellationToken);
                break;
            case RdbType.HashListpackExPreGa:
                await input.SkipStringAsync(cancellationToken);
                break;
            case RdbType.Module2:
                // The module's id, then its data annotated for a reader without the module (rdbLoadCheckModuleValue).
                var moduleId = await input.ReadCountAsync(cancellationToken);
                await RdbModuleData.SkipAsync(input, typeOffset, cancellationToken);
                return RdbModuleName.Of(moduleId);
            case RdbType.ModulePreGa:
                throw new RdbFormatException(typeOffset, "it holds a module value of a Redis 4.0 release candidate, which cannot be read") { Unsupported = true };
            default:
                throw new RdbFormatException(typeOffset, $"value type {type} is unknown");
        }

        return null;
    }

    private async ValueTask SkipStringsAsync(ulong count, CancellationToken cancellationToken)
    {
        for (ulong i = 0; i < count; i++)
            await input.SkipStringAsync(cancellationToken);
    }

    // Each field of a hash with field expiry times: its time (0 for none), the field, the value.
    private async ValueTask SkipTimedFieldsAsync(ulong count, CancellationToken cancellationToken)
    {
        for (ulong i = 0; i < count; i++)
        {
            await input.ReadCountAsync(cancellationToken);
            await input.SkipStringAsync(cancellationToken);
            await input.SkipStringAsync(cancellationToken);
        }
    }

    private async ValueTask SkipTextScoredAsync(ulong count, CancellationToken cancellationToken)
    {
        for (ulong i = 0; i < count; i++)
        {
            await input.SkipStringAsync(cancellationToken);
            await input.SkipTextDoubleAsync(cancellationToken);
        }
    }

    private async ValueTask SkipBinaryScoredAsync(ulong count, CancellationToken cancellationToken)
    {
        for (ulong i = 0; i < count; i++)
        {
            await input.SkipStringAsync(cancellationToken);
            await input.SkipAsync(sizeof(double), cancellationToken);
        }
    }

    private async ValueTask SkipQuicklistNodesAsync(ulong count, CancellationToken cancellationToken)
    {
        for (ulong i = 0; i < count; i++)
        {
            await input.ReadCountAsync(cancellationToken); // container: plain or packed
            await input.SkipStringAsync(cancellationToken);
        }
    }

    /// <summary>rdbLoadObject's stream: listpacks keyed by master id, metadata, then consumer groups with their PELs and consumers.</summary>
    private async ValueTask WalkStreamAsync(byte type, CancellationToken cancellationToken)
    {
        var listpacks = await input.ReadCountAsync(cancellationToken);
        for (ulong i = 0; i < listpacks; i++)
        {
            await input.SkipStringAsync(cancellationToken); // master id
            await input.SkipStringAsync(cancellationToken); // listpack
        }

        // Length and last id; then first id, max deleted id and entries added since type 19.
        var metadata = type >= RdbType.StreamListpacks2 ? 8 : 3;
        for (var i = 0; i < metadata; i++)
            await input.ReadCountAsync(cancellationToken);

        var groups = await input.ReadCountAsync(cancellationToken);
        for (ulong g = 0; g < groups; g++)
        {
            await input.SkipStringAsync(cancellationToken); // name
            await input.ReadCountAsync(cancellationToken); // last id ms
            await input.ReadCountAsync(cancellationToken); // last id seq
            if (type >= RdbType.StreamListpacks2)
                await input.ReadCountAsync(cancellationToken); // entries read
            var pending = await input.ReadCountAsync(cancellationToken);
            for (ulong p = 0; p < pending; p++)
            {
                await input.SkipAsync(StreamIdBytes + MillisecondTimeBytes, cancellationToken); // id, delivery time
                await input.ReadCountAsync(cancellationToken); // delivery count
            }

            await WalkConsumersAsync(type, cancellationToken);
        }
    }

    private async ValueTask WalkConsumersAsync(byte type, CancellationToken cancellationToken)
    {
        var consumers = await input.ReadCountAsync(cancellationToken);
        for (ulong c = 0; c < consumers; c++)
        {
            await input.SkipStringAsync(cancellationToken); // name
            await input.SkipAsync(MillisecondTimeBytes, cancellationToken); // seen time
            if (type >= RdbType.StreamListpacks3)
            {
                if (DropStreamActiveTimes)
                    await input.SkipUncapturedAsync(MillisecondTimeBytes, cancellationToken);
                else
                    await input.SkipAsync(MillisecondTimeBytes, cancellationToken);
            }

            var ownedOffset = input.Offset;
            var owned = await input.ReadCountAsync(cancellationToken);
            if (owned > long.MaxValue / StreamIdBytes)
                throw new RdbFormatException(ownedOffset, $"a consumer claims {owned} pending entries, more than an RDB can hold");
            await input.SkipAsync((long)owned * StreamIdBytes, cancellationToken);
        }
    }
}
