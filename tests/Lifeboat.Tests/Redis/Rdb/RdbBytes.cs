using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Lifeboat.Redis;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>Hand-made RDBs: a header, the given body, the end marker and a valid checksum.</summary>
internal static class RdbBytes
{
    public static byte[] Of(byte[] body, int version = 11)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("REDIS" + version.ToString("D4", CultureInfo.InvariantCulture)));
        bytes.AddRange(body);
        bytes.Add(0xff);
        var crc = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, RedisCrc64.Compute(bytes.ToArray()));
        bytes.AddRange(crc);
        return [.. bytes];
    }
}
