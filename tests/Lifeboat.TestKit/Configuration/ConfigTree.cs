namespace Lifeboat.TestKit.Configuration;

/// <summary>A node of a config file as it will be written: a scalar, a mapping or a list.</summary>
internal abstract class ConfigNode;

/// <summary>A value; null is a key written with nothing after the colon.</summary>
internal sealed class ConfigScalar(string? value) : ConfigNode
{
    public string? Value { get; } = value;
}

/// <summary>A mapping whose keys keep the order they were first set in.</summary>
internal sealed class ConfigMap : ConfigNode
{
    private readonly List<KeyValuePair<string, ConfigNode>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries => _entries;

    public ConfigNode? Get(string key) => _entries.FirstOrDefault(e => e.Key == key).Value;

    public void Put(string key, ConfigNode value)
    {
        var at = _entries.FindIndex(e => e.Key == key);
        if (at < 0)
            _entries.Add(new(key, value));
        else
            _entries[at] = new(key, value);
    }

    public void Remove(string key) => _entries.RemoveAll(e => e.Key == key);
}

/// <summary>A list; an index one past the end appends.</summary>
internal sealed class ConfigList : ConfigNode
{
    private readonly List<ConfigNode> _items = [];

    public IReadOnlyList<ConfigNode> Items => _items;

    public ConfigNode? Get(int index) => index < _items.Count ? _items[index] : null;

    public void Put(int index, ConfigNode value)
    {
        if (index > _items.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"item [{index}] would leave a gap after the {_items.Count} there are");
        if (index == _items.Count)
            _items.Add(value);
        else
            _items[index] = value;
    }
}
