using System.Globalization;
using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Configuration;

public sealed class ConfigDeclarationTests
{
    private static IEnumerable<ConfigKey> AllKeys => ConfigSchema.Sections.SelectMany(s => s.Keys);

    [Fact]
    public void Every_whole_number_key_has_a_default_within_its_range_or_is_required()
    {
        var outOfRange = AllKeys
            .Where(k => k.Type == ConfigValueType.Int && !k.Required)
            .Where(k => !int.TryParse(k.Default, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < k.Min || value > k.Max);

        Assert.Empty(outOfRange);
    }

    [Fact]
    public void No_key_is_declared_twice()
    {
        Assert.Equal(AllKeys.Count(), ConfigSchema.Keys.Count);
    }

    [Fact]
    public void A_source_kind_without_a_name_key_is_refused_when_declared()
    {
        var section = new ConfigSection("things", IsList: true, [new ConfigKey("host", ConfigValueType.Text, "host")]);

        Assert.Throws<InvalidOperationException>(() => new SourceSection("thing", section, _ => null!));
    }
}
