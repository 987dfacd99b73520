using Lifeboat.Storage;

namespace Lifeboat.Buckets.Index;

/// <summary>Reads a key-sorted stream one key group at a time, checking the order as it goes.</summary>
internal sealed class GroupCursor<T> : IAsyncDisposable
{
    private readonly IAsyncEnumerator<T> _items;
    private readonly Func<T, string> _keyOf;
    private readonly string _stream;
    private bool _hasHead;
    private string? _lastKey;

    private GroupCursor(IAsyncEnumerator<T> items, Func<T, string> keyOf, string stream) => (_items, _keyOf, _stream) = (items, keyOf, stream);

    /// <summary>The key of the next group, or null at the end.</summary>
    public string? NextKey => _hasHead ? _keyOf(_items.Current) : null;

    /// <summary>Opens <paramref name="items"/>; <paramref name="stream"/> names it in order errors ("the listing").</summary>
    public static async Task<GroupCursor<T>> OpenAsync(IAsyncEnumerable<T> items, Func<T, string> keyOf, string stream, CancellationToken cancellationToken)
    {
        var cursor = new GroupCursor<T>(items.GetAsyncEnumerator(cancellationToken), keyOf, stream);
        await cursor.AdvanceAsync();
        return cursor;
    }

    /// <summary>The items of <paramref name="key"/>, empty when the next group has another key.</summary>
    public async Task<List<T>> TakeAsync(string key)
    {
        var group = new List<T>();
        while (_hasHead && ObjectKeyComparer.Instance.Compare(_keyOf(_items.Current), key) == 0)
        {
            group.Add(_items.Current);
            await AdvanceAsync();
        }

        return group;
    }

    private async Task AdvanceAsync()
    {
        _hasHead = await _items.MoveNextAsync();
        if (!_hasHead)
            return;
        var key = _keyOf(_items.Current);
        KeyOrder.Check(_lastKey, key, _stream);
        _lastKey = key;
    }

    /// <summary>The smallest of <paramref name="keys"/> (null ones are streams that ended), or null when all are done.</summary>
    public static string? Smallest(params ReadOnlySpan<string?> keys)
    {
        string? smallest = null;
        foreach (var key in keys)
        {
            if (key is not null && (smallest is null || ObjectKeyComparer.Instance.Compare(key, smallest) < 0))
                smallest = key;
        }

        return smallest;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _items.DisposeAsync();
}
