using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

public sealed class KeySlotTests : IDisposable
{
    /// <summary>Argon2id costs cheap enough for tests; real slots use the recommended 64 MiB, t=3, p=2.</summary>
    private static readonly Argon2Parameters Cheap = new(MemoryKiB: 64, Iterations: 1, Parallelism: 1);

    private readonly string directory = Directory.CreateTempSubdirectory("lifeboat-keyslot-").FullName;
    private readonly DataKey key = DataKey.Generate();

    public void Dispose()
    {
        key.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private KeySecret NewKeyFile(string name)
    {
        var path = Path.Combine(directory, name);
        KeyFile.Create(path);
        return KeySecret.FromKeyFile(path);
    }

    private static KeySecret Passphrase(string passphrase) => KeySecret.FromPassphrase(passphrase, Cheap);

    [Fact]
    public void A_key_file_slot_survives_json_and_opens_to_the_same_data_key()
    {
        var secret = NewKeyFile("repo.key");
        var slot = KeySlot.FromJson(KeySlot.Create(key, secret).ToJson(), "keys/slot-1");

        using var opened = slot.TryOpen(secret);

        Assert.NotNull(opened);
        Assert.Equal(key.Id, opened.Id);
        Assert.Equal(key.Material.ToArray(), opened.Material.ToArray());
        Assert.Equal(("keyfile", key.Id), (slot.Kind, slot.KeyId));
    }

    [Fact]
    public void A_passphrase_slot_survives_json_and_opens_to_the_same_data_key()
    {
        var original = KeySlot.Create(key, Passphrase("correct horse battery staple"));
        var slot = KeySlot.FromJson(original.ToJson(), "keys/slot-1");

        using var opened = slot.TryOpen(Passphrase("correct horse battery staple"));

        Assert.NotNull(opened);
        Assert.Equal(key.Material.ToArray(), opened.Material.ToArray());
        Assert.Equal((original.Id, "passphrase", original.Created), (slot.Id, slot.Kind, slot.Created));
    }

    [Fact]
    public void A_passphrase_slot_records_its_argon2id_costs_in_the_json()
    {
        var json = JsonNode.Parse(KeySlot.Create(key, Passphrase("pw")).ToJson())!;

        Assert.Equal("argon2id", (string?)json["kdf"]!["algorithm"]);
        Assert.Equal((64, 1, 1), ((int)json["kdf"]!["memoryKiB"]!, (int)json["kdf"]!["iterations"]!, (int)json["kdf"]!["parallelism"]!));
    }

    [Fact]
    public void The_recommended_argon2id_costs_are_64_MiB_three_passes_two_lanes()
    {
        Assert.Equal(new Argon2Parameters(65536, 3, 2), Argon2Parameters.Recommended);
    }

    [Fact]
    public void Another_key_file_does_not_open_the_slot()
    {
        var slot = KeySlot.Create(key, NewKeyFile("right.key"));

        Assert.Null(slot.TryOpen(NewKeyFile("wrong.key")));
    }

    [Fact]
    public void A_wrong_passphrase_does_not_open_the_slot()
    {
        var slot = KeySlot.Create(key, Passphrase("right"));

        Assert.Null(slot.TryOpen(Passphrase("wrong")));
    }

    [Fact]
    public void A_secret_of_the_other_kind_does_not_open_the_slot()
    {
        var slot = KeySlot.Create(key, Passphrase("pw"));

        Assert.Null(slot.TryOpen(NewKeyFile("repo.key")));
    }

    [Fact]
    public void Unlocking_with_a_wrong_key_says_the_key_does_not_open_this_repository()
    {
        var slots = new[] { KeySlot.Create(key, NewKeyFile("right.key")) };

        var error = Assert.Throws<LifeboatException>(() => KeySlots.Unlock(slots, NewKeyFile("wrong.key"), "file:///backups"));

        Assert.StartsWith("the key does not open this repository (file:///backups): key file '", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public void Unlocking_with_a_wrong_passphrase_says_the_key_does_not_open_this_repository()
    {
        var slots = new[] { KeySlot.Create(key, Passphrase("right")) };

        var error = Assert.Throws<LifeboatException>(() => KeySlots.Unlock(slots, Passphrase("wrong"), "s3://bucket/prefix"));

        Assert.StartsWith("the key does not open this repository (s3://bucket/prefix)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_slots_let_either_secret_open_the_same_key_so_one_can_be_retired()
    {
        var oldSecret = NewKeyFile("old.key");
        var newSecret = Passphrase("new");
        var slots = new List<KeySlot> { KeySlot.Create(key, oldSecret), KeySlot.Create(key, newSecret) };

        using var viaOld = KeySlots.Unlock(slots, oldSecret, "repo");
        slots.RemoveAt(0);
        using var viaNew = KeySlots.Unlock(slots, newSecret, "repo");

        Assert.Equal(key.Id, viaOld.Id);
        Assert.Equal(key.Material.ToArray(), viaNew.Material.ToArray());
        Assert.Throws<LifeboatException>(() => KeySlots.Unlock(slots, oldSecret, "repo"));
    }

    [Theory]
    [InlineData("keyId", "0000000000000000")]
    [InlineData("id", "ffffffffffffffff")]
    public void Editing_what_a_slot_claims_stops_it_from_opening(string member, string value)
    {
        var secret = NewKeyFile("repo.key");
        var json = JsonNode.Parse(KeySlot.Create(key, secret).ToJson())!;
        json[member] = value;

        var edited = KeySlot.FromJson(Encoding.UTF8.GetBytes(json.ToJsonString()), "keys/slot-1");

        Assert.Null(edited.TryOpen(secret));
    }

    [Fact]
    public void Lowering_a_slots_argon2id_costs_stops_it_from_opening()
    {
        var json = JsonNode.Parse(KeySlot.Create(key, KeySecret.FromPassphrase("pw", new Argon2Parameters(128, 2, 1))).ToJson())!;
        json["kdf"]!["iterations"] = 1;

        var edited = KeySlot.FromJson(Encoding.UTF8.GetBytes(json.ToJsonString()), "keys/slot-1");

        Assert.Null(edited.TryOpen(Passphrase("pw")));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    public void Unreadable_slot_json_is_an_error_naming_the_slot(string json)
    {
        var error = Assert.Throws<LifeboatException>(() => KeySlot.FromJson(Encoding.UTF8.GetBytes(json), "keys/slot-7"));

        Assert.StartsWith("key slot 'keys/slot-7' is invalid: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version", "2", "version 2")]
    [InlineData("kind", "\"fingerprint\"", "kind 'fingerprint'")]
    [InlineData("keyId", "\"XYZ\"", "keyId 'XYZ'")]
    public void A_slot_with_an_unusable_field_is_rejected_naming_the_field(string member, string value, string expected)
    {
        var json = JsonNode.Parse(KeySlot.Create(key, Passphrase("pw")).ToJson())!;
        json[member] = JsonNode.Parse(value);

        var error = Assert.Throws<LifeboatException>(() => KeySlot.FromJson(Encoding.UTF8.GetBytes(json.ToJsonString()), "keys/slot-7"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_slot_asking_for_absurd_argon2id_memory_is_rejected_before_any_work()
    {
        var json = JsonNode.Parse(KeySlot.Create(key, Passphrase("pw")).ToJson())!;
        json["kdf"]!["memoryKiB"] = int.MaxValue;

        var error = Assert.Throws<LifeboatException>(() => KeySlot.FromJson(Encoding.UTF8.GetBytes(json.ToJsonString()), "keys/slot-7"));

        Assert.Contains("Argon2id memory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_passphrase_is_a_usage_error()
    {
        var error = Assert.Throws<LifeboatException>(() => KeySecret.FromPassphrase(""));

        Assert.Equal(FailureKind.Usage, error.Kind);
    }
}
