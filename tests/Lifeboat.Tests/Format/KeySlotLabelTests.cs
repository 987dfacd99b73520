using System.Text.Json.Nodes;
using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

/// <summary>A key slot's optional label: stored in the slot record, absent from slots made without one, readable either way.</summary>
public sealed class KeySlotLabelTests : IDisposable
{
    private static readonly Argon2Parameters Cheap = new(MemoryKiB: 64, Iterations: 1, Parallelism: 1);
    private readonly DataKey key = DataKey.Generate();

    public void Dispose() => key.Dispose();

    private static KeySecret Passphrase(string passphrase) => KeySecret.FromPassphrase(passphrase, Cheap);

    [Fact]
    public void A_label_is_stored_in_the_slot_record_and_read_back()
    {
        var json = KeySlot.Create(key, Passphrase("correct horse battery staple"), "ops-2026").ToJson();

        Assert.Equal("ops-2026", JsonNode.Parse(json)!["label"]!.GetValue<string>());
        Assert.Equal("ops-2026", KeySlot.FromJson(json, "keys/slot").Label);
    }

    [Fact]
    public void A_slot_without_a_label_writes_no_label_member_as_before_labels_existed_and_still_opens()
    {
        var secret = Passphrase("correct horse battery staple");
        var json = KeySlot.Create(key, secret).ToJson();

        var slot = KeySlot.FromJson(json, "keys/slot");
        using var opened = slot.TryOpen(secret);

        Assert.False(JsonNode.Parse(json)!.AsObject().ContainsKey("label"));
        Assert.Null(slot.Label);
        Assert.NotNull(opened);
    }

    [Fact]
    public void A_label_is_informational_so_changing_it_leaves_the_slot_opening()
    {
        var secret = Passphrase("correct horse battery staple");
        var json = JsonNode.Parse(KeySlot.Create(key, secret, "ops-2026").ToJson())!;
        json["label"] = "renamed";

        var slot = KeySlot.FromJson(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "keys/slot");
        using var opened = slot.TryOpen(secret);

        Assert.Equal("renamed", slot.Label);
        Assert.NotNull(opened);
    }

    [Theory]
    [InlineData("", "the key slot label is empty")]
    [InlineData("line\nbreak", "the key slot label contains U+000A, a control, formatting or separator character")]
    [InlineData("ops-\u202E6202", "the key slot label contains U+202E, a control, formatting or separator character")]
    [InlineData("zero\u200Bwidth", "the key slot label contains U+200B, a control, formatting or separator character")]
    [InlineData("line\u2028separator", "the key slot label contains U+2028, a control, formatting or separator character")]
    [InlineData("para\u2029separator", "the key slot label contains U+2029, a control, formatting or separator character")]
    public void An_unfit_label_is_a_usage_error(string label, string message)
    {
        var error = Assert.Throws<LifeboatException>(() => KeySlot.Create(key, Passphrase("correct horse battery staple"), label));

        Assert.Equal(message, error.Message);
        Assert.Equal(FailureKind.Usage, error.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("evil\u202Eexe.txt")]
    [InlineData("bell\u0007")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_stored_label_that_would_not_be_written_is_read_as_no_label_and_the_slot_still_opens(string stored)
    {
        var secret = Passphrase("correct horse battery staple");
        var json = JsonNode.Parse(KeySlot.Create(key, secret, "ops-2026").ToJson())!;
        json["label"] = stored;

        var slot = KeySlot.FromJson(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "keys/slot");
        using var opened = slot.TryOpen(secret);

        Assert.Null(slot.Label);
        Assert.NotNull(opened);
    }

    [Fact]
    public void A_label_longer_than_64_characters_is_refused()
    {
        var error = Assert.Throws<LifeboatException>(() => KeySlot.Create(key, Passphrase("correct horse battery staple"), new string('a', 65)));

        Assert.Equal("the key slot label is 65 characters long, more than 64", error.Message);
    }
}
