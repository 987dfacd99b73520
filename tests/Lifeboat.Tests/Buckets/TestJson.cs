using System.Text.Json.Serialization;

namespace Lifeboat.Tests.Buckets;

/// <summary>JSON for test records, source-generated as everywhere else.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class TestJson : JsonSerializerContext;
