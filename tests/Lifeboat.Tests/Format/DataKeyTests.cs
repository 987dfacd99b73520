using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

public sealed class DataKeyTests
{
    [Fact]
    public void A_generated_key_has_a_16_hex_digit_id_and_32_bytes_of_material()
    {
        using var key = DataKey.Generate();

        Assert.Matches("^[0-9a-f]{16}$", key.Id);
        Assert.Equal(32, key.Material.Length);
    }

    [Fact]
    public void Generated_keys_differ_in_id_and_material()
    {
        using var a = DataKey.Generate();
        using var b = DataKey.Generate();

        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(a.Material.ToArray(), b.Material.ToArray());
    }

    [Fact]
    public void A_disposed_key_no_longer_offers_its_material()
    {
        var key = DataKey.Generate();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.Material.Length);
    }
}
