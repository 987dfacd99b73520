namespace Lifeboat.IntegrationTests.Storage;

/// <summary>Create-if-absent as only S3 does it: a conditional PutObject, retried when its reply is lost.</summary>
public sealed partial class S3ObjectStoreConformance
{
    [Fact]
    public async Task A_create_if_absent_whose_reply_is_lost_is_retried_and_meets_its_own_object()
    {
        await using var proxy = new FaultyTcpProxy(new Uri(S3TestServer.Location(S3TestServer.SharedBucket, "").Endpoint!));
        await using var store = OpenThrough(proxy);
        // The server stores the object; its answer never reaches the store, which asks again.
        proxy.Enqueue(new ConnectionFault.LoseFinalResponse());

        var created = await store.TryCreateNewAsync("lost-reply", new byte[] { 7, 7 }, Ct);

        // The retry's 412 cannot tell the first attempt's object from another writer's: the caller reads it to know.
        Assert.False(created);
        Assert.Equal(2, proxy.Connections);
        Assert.Equal([7, 7], await ReadAsync("lost-reply"));
    }
}
